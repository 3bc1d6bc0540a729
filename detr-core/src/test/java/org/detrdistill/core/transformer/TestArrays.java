package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Random;

/** Test helpers: comparing arrays and seeded random DOUBLE arrays (independent of ND4J's random generator). */
final class TestArrays {
    private TestArrays() {}

    /** max |a - b| over all elements, in double; NaN if any difference is NaN; fails on a shape mismatch. */
    static double maxAbsDiff(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new AssertionError("shape " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
        double[] x = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] y = b.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs(x[i] - y[i]);
            if (Double.isNaN(d)) return Double.NaN;
            m = Math.max(m, d);
        }
        return m;
    }

    /** U(lo, hi) DOUBLE array. */
    static INDArray uniform(long seed, double lo, double hi, long... shape) {
        Random r = new Random(seed);
        double[] v = new double[(int) Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return Nd4j.create(v, shape, DataType.DOUBLE);
    }

    /** N(0, 1) DOUBLE array. */
    static INDArray normal(long seed, long... shape) {
        Random r = new Random(seed);
        double[] v = new double[(int) Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return Nd4j.create(v, shape, DataType.DOUBLE);
    }
}
