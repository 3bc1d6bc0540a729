package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Test helpers for comparing arrays. */
final class ArrayDiff {
    private ArrayDiff() {}

    /** max |a - b| over all elements, in double; fails on a shape mismatch. */
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
}
