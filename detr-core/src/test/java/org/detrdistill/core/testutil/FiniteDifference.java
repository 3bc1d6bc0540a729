package org.detrdistill.core.testutil;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * Central-difference gradients of a scalar SameDiff output w.r.t. a placeholder, in double precision.
 * Callers set {@code Nd4j.setDefaultDataTypes(DOUBLE, DOUBLE)} and build the graph in DOUBLE.
 */
public final class FiniteDifference {
    private FiniteDifference() {
    }

    /**
     * {@code d loss / d feed[input]} by {@code (f(x + eps) - f(x - eps)) / 2eps}, one element at a time.
     *
     * @param sd    the graph
     * @param loss  name of a scalar output
     * @param feed  placeholder values (not modified)
     * @param input name of the placeholder to differentiate against (must be DOUBLE)
     * @param eps   step
     * @return an array shaped like {@code feed[input]}
     */
    public static INDArray numeric(SameDiff sd, String loss, Map<String, INDArray> feed, String input, double eps) {
        return numeric(sd, loss, feed, input, eps, 1);
    }

    /**
     * As {@link #numeric(SameDiff, String, Map, String, double)} but only at every {@code stride}-th element (flat
     * order); the other elements are NaN, which {@link #maxAbsDiff} skips. Keeps checks of larger inputs short.
     */
    public static INDArray numeric(SameDiff sd, String loss, Map<String, INDArray> feed, String input, double eps,
                                   int stride) {
        INDArray x0 = feed.get(input);
        if (x0 == null || x0.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("placeholder '" + input + "' missing or not DOUBLE");
        }
        INDArray x = x0.dup();
        Map<String, INDArray> f = new HashMap<>(feed);
        f.put(input, x);
        INDArray flat = x.reshape(x.length());
        INDArray grad = Nd4j.zeros(DataType.DOUBLE, x.length());
        for (long i = 0; i < x.length(); i++) {
            if (i % stride != 0) {
                grad.putScalar(i, Double.NaN);
                continue;
            }
            double v = flat.getDouble(i);
            flat.putScalar(i, v + eps);
            double plus = sd.output(f, loss).get(loss).getDouble(0);
            flat.putScalar(i, v - eps);
            double minus = sd.output(f, loss).get(loss).getDouble(0);
            flat.putScalar(i, v);
            grad.putScalar(i, (plus - minus) / (2 * eps));
        }
        return grad.reshape(x0.shape());
    }

    /**
     * Backprop gradients w.r.t. placeholders: SameDiff differentiates w.r.t. placeholders only when they are named
     * when the gradient function is first built, so this builds it with {@code inputs} if it does not exist yet.
     */
    public static Map<String, INDArray> analytic(SameDiff sd, Map<String, INDArray> feed, String... inputs) {
        if (sd.getFunction("grad") == null) {
            sd.createGradFunction(inputs);
        }
        return sd.calculateGradients(feed, inputs);
    }

    /** Largest {@code |a - b|} over the elements where neither is NaN; NaN if shapes differ in length. */
    public static double maxAbsDiff(INDArray a, INDArray b) {
        double[] x = a.castTo(DataType.DOUBLE).dup().data().asDouble();
        double[] y = b.castTo(DataType.DOUBLE).dup().data().asDouble();
        if (x.length != y.length) {
            return Double.NaN;
        }
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(x[i]) && !Double.isNaN(y[i])) {
                m = Math.max(m, Math.abs(x[i] - y[i]));
            }
        }
        return m;
    }

    /** Largest {@code |a|} over the non-NaN elements. */
    public static double maxAbs(INDArray a) {
        double m = 0;
        for (double v : a.castTo(DataType.DOUBLE).dup().data().asDouble()) {
            if (!Double.isNaN(v)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
