package org.detrdistill.core.box;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * View-safe copies between {@link INDArray}s and primitive Java arrays, for the code that runs on the host
 * (box ops, matcher, post-processing).
 *
 * <p>{@code INDArray.data().asDouble()} returns the whole underlying buffer, which is wrong for views (a slice of a
 * batch, a transposed array) and for 'f'-ordered arrays; the methods here always return the logical elements in
 * C (row-major) order.
 */
public final class HostArrays {
    private HostArrays() {}

    /**
     * The elements of {@code array} in C (row-major) order as doubles (float arrays are widened exactly).
     *
     * @param array any numeric array, view or not
     * @return a new {@code double[array.length()]}
     */
    public static double[] toDoubles(INDArray array) {
        if (array.isEmpty() || array.length() == 0) return new double[0];
        INDArray c = contiguous(array);
        double[] all = c.data().asDouble();
        return all.length == c.length() ? all : Arrays.copyOf(all, (int) c.length());
    }

    /**
     * Checks that {@code array} has rank {@code shape.length} and the given sizes ({@code -1} = any size).
     *
     * @param name name of the argument for the error message
     * @throws IllegalArgumentException naming {@code name}, the expected and the actual shape
     */
    public static void requireShape(String name, INDArray array, long... shape) {
        if (array == null) throw new IllegalArgumentException(name + " is null");
        boolean ok = array.rank() == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] < 0 || array.size(i) == shape[i];
        }
        if (!ok) {
            StringBuilder want = new StringBuilder("[");
            for (int i = 0; i < shape.length; i++) {
                want.append(i > 0 ? "," : "").append(shape[i] < 0 ? "*" : Long.toString(shape[i]));
            }
            throw new IllegalArgumentException(name + " must have shape " + want + "], got "
                    + Arrays.toString(array.shape()));
        }
    }

    /** A new DOUBLE array of the given shape holding {@code values} (row-major); empty shapes give empty arrays. */
    public static INDArray doubles(double[] values, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        if (n == 0) return Nd4j.create(DataType.DOUBLE, shape);
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + values.length);
        }
        return Nd4j.create(values, shape, 'c');
    }

    /** {@code values} as an array of {@code type} (DOUBLE or FLOAT) with the given shape. */
    public static INDArray of(double[] values, DataType type, long... shape) {
        INDArray d = doubles(values, shape);
        return type == DataType.DOUBLE ? d : d.castTo(type);
    }

    /** DOUBLE when either argument is DOUBLE, otherwise FLOAT: the result type of the host box ops. */
    public static DataType resultType(INDArray a, INDArray b) {
        return a.dataType() == DataType.DOUBLE || (b != null && b.dataType() == DataType.DOUBLE)
                ? DataType.DOUBLE : DataType.FLOAT;
    }

    private static INDArray contiguous(INDArray a) {
        boolean plain = !a.isView() && a.ordering() == 'c' && a.data().length() == a.length()
                && a.offset() == 0;
        return plain ? a : a.dup('c');
    }
}
