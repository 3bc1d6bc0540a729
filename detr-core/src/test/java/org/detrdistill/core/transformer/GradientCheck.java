package org.detrdistill.core.transformer;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Random;

/**
 * Central-difference check of {@code sd.calculateGradients} for a scalar loss w.r.t. graph variables (VARIABLE type,
 * DOUBLE), on a random subset of elements so that a check stays fast.
 */
final class GradientCheck {
    private GradientCheck() {}

    /** Result of one check: the largest absolute and relative error, and how many elements were probed. */
    record Result(double maxAbsError, double maxRelError, int probed, double maxAbsGradient) {}

    /**
     * @param sd       graph whose loss variable is set
     * @param feed     placeholder values (may be empty)
     * @param loss     scalar loss variable name
     * @param variable name of a DOUBLE variable of the graph
     * @param samples  number of elements to probe (all if the variable is smaller); half of them are drawn among the
     *                 elements whose analytic gradient is nonzero
     * @param eps      finite-difference step
     */
    static Result check(SameDiff sd, Map<String, INDArray> feed, String loss, String variable, int samples, double eps, long seed) {
        INDArray arr = sd.getVariable(variable).getArr();
        if (arr.dataType() != DataType.DOUBLE) throw new IllegalArgumentException(variable + " must be DOUBLE");
        INDArray analytic = sd.calculateGradients(feed, variable).get(variable);
        if (analytic == null) throw new AssertionError("no gradient for " + variable);
        analytic = analytic.dup();
        INDArray flat = arr.reshape(arr.length());
        INDArray flatGrad = analytic.reshape(analytic.length());
        Random rnd = new Random(seed);
        int n = (int) Math.min(samples, arr.length());
        // half of the probes among the elements with a nonzero analytic gradient (sparse gradients, e.g. sampled maps)
        double[] ga = flatGrad.dup().data().asDouble();
        int[] nonzero = java.util.stream.IntStream.range(0, ga.length).filter(i -> ga[i] != 0).toArray();
        double maxAbs = 0, maxRel = 0, maxGrad = 0;
        for (int k = 0; k < n; k++) {
            long i = n == arr.length() ? k
                    : (k % 2 == 0 && nonzero.length > 0) ? nonzero[rnd.nextInt(nonzero.length)] : rnd.nextInt((int) arr.length());
            double v = flat.getDouble(i);
            flat.putScalar(i, v + eps);
            double plus = sd.output(feed, loss).get(loss).getDouble(0);
            flat.putScalar(i, v - eps);
            double minus = sd.output(feed, loss).get(loss).getDouble(0);
            flat.putScalar(i, v);
            double numeric = (plus - minus) / (2 * eps);
            double a = flatGrad.getDouble(i);
            double err = Math.abs(numeric - a);
            maxAbs = Math.max(maxAbs, err);
            maxRel = Math.max(maxRel, err / Math.max(1e-6, Math.abs(numeric) + Math.abs(a)));
            maxGrad = Math.max(maxGrad, Math.abs(a));
        }
        return new Result(maxAbs, maxRel, n, maxGrad);
    }
}
