package org.detrdistill.core.checkpoint;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} (format 1.0) encoding of INDArrays, in plain Java: little-endian, C order, lossless (raw bits,
 * NaN payloads included). Types: FLOAT {@code <f4}, DOUBLE {@code <f8}, INT {@code <i4}, LONG {@code <i8}. Files written here load with {@code numpy.load}; reading accepts what numpy writes for these
 * types (C order, little-endian, header versions 1.0 and 2.0) and rejects everything else with a message naming the
 * source and the header field.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** The npy descriptor of {@code type}; @throws IllegalArgumentException for types npy cannot hold losslessly here */
    public static String descr(DataType type) {
        return switch (type) {
            case FLOAT -> "<f4";
            case DOUBLE -> "<f8";
            case INT -> "<i4";
            case LONG -> "<i8";
            default -> throw new IllegalArgumentException("no .npy encoding for data type " + type
                    + "; supported: FLOAT, DOUBLE, INT, LONG");
        };
    }

    private static DataType typeOf(String descr, String source) {
        return switch (descr) {
            case "<f4" -> DataType.FLOAT;
            case "<f8" -> DataType.DOUBLE;
            case "<i4" -> DataType.INT;
            case "<i8" -> DataType.LONG;
            default -> throw new IllegalArgumentException(source + ": unsupported .npy header field 'descr' = '" + descr
                    + "'; supported: <f4, <f8, <i4, <i8");
        };
    }

    /** The complete .npy file of {@code array} (any order or view; written C order). */
    public static byte[] encode(INDArray array) {
        DataType type = array.dataType();
        String shape = Arrays.stream(array.shape()).mapToObj(Long::toString)
                .reduce((a, b) -> a + ", " + b).map(s -> array.rank() == 1 ? s + "," : s).orElse("");
        String dict = "{'descr': '" + descr(type) + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.US_ASCII);
        long n = array.length();
        int width = type.width();
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(MAGIC.length + 4L + header.length + n * width))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length).put(header);
        INDArray c = array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
        switch (type) {
            case FLOAT -> { for (float v : c.data().asFloat()) buf.putInt(Float.floatToRawIntBits(v)); }
            case DOUBLE -> { for (double v : c.data().asDouble()) buf.putLong(Double.doubleToRawLongBits(v)); }
            case INT -> { for (int v : c.data().asInt()) buf.putInt(v); }
            case LONG -> { for (long v : c.data().asLong()) buf.putLong(v); }
            default -> throw new IllegalStateException();
        }
        if (buf.position() != buf.capacity()) {
            throw new IllegalStateException("array buffer holds " + (buf.position() - MAGIC.length - 4 - header.length) / width
                    + " values, expected " + n);
        }
        return buf.array();
    }

    /**
     * The validated header of a .npy file.
     *
     * @param type       element type
     * @param shape      C-order shape ({@code []} for a scalar)
     * @param dataOffset index of the first data byte
     */
    public record Header(DataType type, long[] shape, int dataOffset) {
        /** Number of elements. */
        public long length() {
            long n = 1;
            for (long s : shape) n = Math.multiplyExact(n, s);
            return n;
        }
    }

    /**
     * Parses and checks the header of a complete .npy file, including that the data size matches the shape, without
     * decoding the data.
     *
     * @param source named in error messages (a file or zip entry)
     * @throws IllegalArgumentException naming {@code source} and the bad header field, or the size mismatch
     */
    public static Header header(byte[] bytes, String source) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IllegalArgumentException(source + ": not a .npy file (bad magic)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(buf.getShort(8));
            start = 10;
        } else if (major == 2) {
            if (bytes.length < 12) throw new IllegalArgumentException(source + ": truncated .npy header");
            headerLen = buf.getInt(8);
            start = 12;
        } else {
            throw new IllegalArgumentException(source + ": unsupported .npy version " + major + "." + bytes[7]);
        }
        if (headerLen < 0 || start + headerLen > bytes.length) throw new IllegalArgumentException(source + ": truncated .npy header");
        String header = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        DataType type = typeOf(field(DESCR, header, "descr", source), source);
        if (!"False".equals(field(FORTRAN, header, "fortran_order", source))) {
            throw new IllegalArgumentException(source + ": .npy header field 'fortran_order' is True; only C order is supported");
        }
        long[] shape = parseShape(field(SHAPE, header, "shape", source), source);
        Header h = new Header(type, shape, start + headerLen);
        long expected = h.length() * type.width();
        if (bytes.length - h.dataOffset() != expected) {
            throw new IllegalArgumentException(source + ": .npy data has " + (bytes.length - h.dataOffset()) + " bytes, header 'shape' "
                    + Arrays.toString(shape) + " of " + type + " needs " + expected);
        }
        return h;
    }

    /**
     * Decodes a complete .npy file.
     *
     * @param source named in error messages (a file or zip entry)
     * @throws IllegalArgumentException naming {@code source} and the bad header field, or a size mismatch
     */
    public static INDArray decode(byte[] bytes, String source) {
        Header h = header(bytes, source);
        DataType type = h.type();
        long[] shape = h.shape();
        if (h.length() == 0) return Nd4j.create(type, shape);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(h.dataOffset());
        int count = Math.toIntExact(h.length());
        INDArray flat = switch (type) {
            case FLOAT -> { float[] v = new float[count]; for (int i = 0; i < count; i++) v[i] = Float.intBitsToFloat(buf.getInt()); yield Nd4j.createFromArray(v); }
            case DOUBLE -> { double[] v = new double[count]; for (int i = 0; i < count; i++) v[i] = Double.longBitsToDouble(buf.getLong()); yield Nd4j.createFromArray(v); }
            case INT -> { int[] v = new int[count]; for (int i = 0; i < count; i++) v[i] = buf.getInt(); yield Nd4j.createFromArray(v); }
            case LONG -> { long[] v = new long[count]; for (int i = 0; i < count; i++) v[i] = buf.getLong(); yield Nd4j.createFromArray(v); }
            default -> throw new IllegalStateException();
        };
        return flat.reshape('c', shape);
    }

    private static String field(Pattern p, String header, String name, String source) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new IllegalArgumentException(source + ": .npy header has no valid field '" + name + "': " + header.trim());
        return m.group(1);
    }

    private static long[] parseShape(String s, String source) {
        String t = s.trim();
        if (t.isEmpty()) return new long[0];
        String[] parts = t.split(",");
        int count = parts[parts.length - 1].isBlank() ? parts.length - 1 : parts.length;
        long[] shape = new long[count];
        for (int i = 0; i < count; i++) {
            try {
                shape[i] = Long.parseLong(parts[i].trim().replace("L", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": .npy header field 'shape' is not a tuple of integers: (" + s + ")");
            }
            if (shape[i] < 0) throw new IllegalArgumentException(source + ": .npy header field 'shape' has a negative size: (" + s + ")");
        }
        return shape;
    }
}
