package org.detrdistill.core.onnx.eval;

import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An immutable dense tensor held in plain Java: an element type, a shape and the values in C (row-major) order,
 * stored as {@code double}s. FLOAT tensors hold values already rounded to float32, integer and BOOL tensors hold
 * whole numbers (BOOL: 0 or 1). The ONNX interpreter and the constant folder compute on these.
 */
public final class HostTensor {
    /** Element types the interpreter handles, with their ONNX {@code TensorProto.DataType} codes. */
    public enum Type {
        FLOAT(1), UINT8(2), INT8(3), INT32(6), INT64(7), BOOL(9), DOUBLE(11);

        /** ONNX data type code. */
        public final int onnxCode;

        Type(int onnxCode) { this.onnxCode = onnxCode; }

        /** True for FLOAT and DOUBLE. */
        public boolean isFloating() { return this == FLOAT || this == DOUBLE; }

        /**
         * The type of an ONNX code.
         *
         * @throws IllegalArgumentException for a code this interpreter does not handle (FLOAT16, STRING, ...)
         */
        public static Type ofOnnx(int code) {
            for (Type t : values()) if (t.onnxCode == code) return t;
            throw new IllegalArgumentException("unsupported ONNX tensor data type " + code + " ("
                    + Onnx.TensorProto.DataType.forNumber(code) + ")");
        }

        /** The ND4J data type of the same width. */
        public DataType nd4j() {
            return switch (this) {
                case FLOAT -> DataType.FLOAT;
                case DOUBLE -> DataType.DOUBLE;
                case INT64 -> DataType.INT64;
                case INT32 -> DataType.INT32;
                case INT8 -> DataType.INT8;
                case UINT8 -> DataType.UINT8;
                case BOOL -> DataType.BOOL;
            };
        }
    }

    private final Type type;
    private final long[] shape;
    private final double[] data;

    /** Wraps {@code data} (not copied; callers hand over ownership). Values are normalised to {@code type}. */
    public HostTensor(Type type, long[] shape, double[] data) {
        this.type = type;
        this.shape = shape.clone();
        if (data.length != count(shape)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + count(shape)
                    + " values, got " + data.length);
        }
        for (int i = 0; i < data.length; i++) data[i] = normalise(type, data[i]);
        this.data = data;
    }

    /** Rounds a value to what {@code type} can hold (float32 rounding, integer truncation, BOOL 0/1). */
    public static double normalise(Type type, double v) {
        return switch (type) {
            case FLOAT -> (float) v;
            case DOUBLE -> v;
            case BOOL -> v != 0 ? 1 : 0;
            case INT64 -> (double) (long) v;
            case INT32 -> (double) (int) (long) v;
            case INT8 -> (double) (byte) (long) v;
            case UINT8 -> (double) ((long) v & 0xff);
        };
    }

    /** A scalar (rank 0). */
    public static HostTensor scalar(Type type, double v) { return new HostTensor(type, new long[0], new double[]{v}); }

    /** A rank-1 INT64 tensor. */
    public static HostTensor longs(long... values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) d[i] = values[i];
        return new HostTensor(Type.INT64, new long[]{values.length}, d);
    }

    /** Number of elements of a shape. */
    public static int count(long[] shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= s;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) n;
    }

    /** C-order strides of a shape, in elements. */
    public static long[] strides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) { st[i] = s; s *= shape[i]; }
        return st;
    }

    /** The element type. */
    public Type type() { return type; }

    /** A copy of the shape. */
    public long[] shape() { return shape.clone(); }

    /** Number of axes (0 for a scalar). */
    public int rank() { return shape.length; }

    /** Size of axis {@code axis}. */
    public long dim(int axis) { return shape[axis]; }

    /** Number of elements. */
    public int size() { return data.length; }

    /** The element at a C-order flat index. */
    public double get(int flatIndex) { return data[flatIndex]; }

    /** The element at a C-order flat index, as a long (integer tensors). */
    public long getLong(int flatIndex) { return (long) data[flatIndex]; }

    /** A copy of the values in C order. */
    public double[] values() { return data.clone(); }

    /** The values as longs (for shape, axis and index tensors). */
    public long[] longValues() {
        long[] out = new long[data.length];
        for (int i = 0; i < out.length; i++) out[i] = (long) data[i];
        return out;
    }

    /** Values shared without copying, for the interpreter's kernels only. */
    double[] raw() { return data; }

    /** The same values with another shape of equal element count. */
    public HostTensor reshape(long[] newShape) { return new HostTensor(type, newShape, data.clone()); }

    /** The values converted to {@code to} (ONNX Cast semantics: float to integer truncates toward zero). */
    public HostTensor cast(Type to) { return new HostTensor(to, shape, data.clone()); }

    /** Reads an ONNX tensor (raw_data or the typed fields). External data is not supported. */
    public static HostTensor fromProto(Onnx.TensorProto t) {
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' keeps its data in an external file; "
                    + "export without external data (models under 2 GB)");
        }
        Type type = Type.ofOnnx(t.getDataType());
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int n = count(shape);
        double[] d = new double[n];
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int width = switch (type) { case FLOAT, INT32 -> 4; case DOUBLE, INT64 -> 8; default -> 1; };
            if (b.remaining() != (long) n * width) {
                throw new IllegalArgumentException("tensor '" + t.getName() + "': raw_data has " + b.remaining()
                        + " bytes, shape " + Arrays.toString(shape) + " of " + type + " needs " + (long) n * width);
            }
            for (int i = 0; i < n; i++) {
                d[i] = switch (type) {
                    case FLOAT -> b.getFloat();
                    case DOUBLE -> b.getDouble();
                    case INT64 -> b.getLong();
                    case INT32 -> b.getInt();
                    case UINT8 -> b.get() & 0xff;
                    case INT8, BOOL -> b.get();
                };
            }
        } else {
            int have = switch (type) {
                case FLOAT -> t.getFloatDataCount();
                case DOUBLE -> t.getDoubleDataCount();
                case INT64 -> t.getInt64DataCount();
                default -> t.getInt32DataCount();
            };
            if (have != n) {
                throw new IllegalArgumentException("tensor '" + t.getName() + "' has " + have + " values, shape "
                        + Arrays.toString(shape) + " needs " + n);
            }
            for (int i = 0; i < n; i++) {
                d[i] = switch (type) {
                    case FLOAT -> t.getFloatData(i);
                    case DOUBLE -> t.getDoubleData(i);
                    case INT64 -> t.getInt64Data(i);
                    default -> t.getInt32Data(i);
                };
            }
        }
        return new HostTensor(type, shape, d);
    }

    /** Writes this tensor as an ONNX initializer named {@code name} (raw_data, little-endian). */
    public Onnx.TensorProto toProto(String name) {
        int width = switch (type) { case FLOAT, INT32 -> 4; case DOUBLE, INT64 -> 8; default -> 1; };
        ByteBuffer b = ByteBuffer.allocate(data.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : data) {
            switch (type) {
                case FLOAT -> b.putFloat((float) v);
                case DOUBLE -> b.putDouble(v);
                case INT64 -> b.putLong((long) v);
                case INT32 -> b.putInt((int) v);
                default -> b.put((byte) v);
            }
        }
        b.flip();
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(type.onnxCode)
                .setRawData(ByteString.copyFrom(b));
        for (long s : shape) t.addDims(s);
        return t.build();
    }

    /** An ND4J array of the same type, shape and values. */
    public INDArray toINDArray() {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape.length == 0 ? new long[0] : shape, 'c');
        if (data.length > 0) a.assign(Nd4j.createFromArray(data).reshape(shape.length == 0 ? new long[0] : shape));
        return type == Type.DOUBLE ? a : a.castTo(type.nd4j());
    }

    /** Reads an ND4J array (FLOAT, DOUBLE, INT64, INT32, INT8, UINT8 or BOOL). */
    public static HostTensor of(INDArray a) {
        Type type = switch (a.dataType()) {
            case FLOAT -> Type.FLOAT;
            case DOUBLE -> Type.DOUBLE;
            case LONG -> Type.INT64;
            case INT -> Type.INT32;
            case BYTE -> Type.INT8;
            case UBYTE -> Type.UINT8;
            case BOOL -> Type.BOOL;
            default -> throw new IllegalArgumentException("unsupported array type " + a.dataType());
        };
        double[] d = a.length() == 0 ? new double[0]
                : a.castTo(DataType.DOUBLE).dup('c').reshape(a.length()).toDoubleVector();
        return new HostTensor(type, a.shape(), d);
    }

    @Override
    public String toString() { return type + Arrays.toString(shape); }
}
