package org.detrdistill.core.testutil;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Central finite-difference check of SameDiff gradients in double precision: for up to {@code maxPerVariable}
 * random entries of each checked variable, compares {@code (L(x+h) - L(x-h)) / 2h} with the analytic gradient from
 * {@code sd.calculateGradients}. Works for trainable variables and for placeholders.
 */
public final class GradientCheck {
    private GradientCheck() {}

    /** One failed comparison, for the assertion message. */
    public record Mismatch(String variable, long index, double analytic, double numeric) {}

    /**
     * @param loss      name of the scalar loss variable (double)
     * @param feed      placeholder values (double)
     * @param variables variables or placeholders to check
     * @return the entries whose relative error exceeds {@code maxRelError} and absolute error exceeds {@code minAbsError}
     */
    public static List<Mismatch> check(SameDiff sd, String loss, Map<String, INDArray> feed, List<String> variables,
                                       double h, double maxRelError, double minAbsError, int maxPerVariable, long seed) {
        sd.setLossVariables(loss);
        Map<String, INDArray> grads = sd.calculateGradients(feed, variables);
        SplittableRandom rng = new SplittableRandom(seed);
        List<Mismatch> bad = new ArrayList<>();
        for (String name : variables) {
            INDArray target = feed.containsKey(name) ? feed.get(name) : sd.getVariable(name).getArr();
            if (target.dataType() != DataType.DOUBLE) throw new IllegalArgumentException(name + " must be DOUBLE for a gradient check");
            INDArray g = grads.get(name);
            if (g == null) throw new IllegalStateException("no gradient for " + name);
            INDArray flat = target.reshape(target.length());
            INDArray gFlat = g.reshape(g.length());
            long n = target.length();
            int count = (int) Math.min(n, maxPerVariable);
            for (int c = 0; c < count; c++) {
                long i = n <= maxPerVariable ? c : rng.nextLong(n);
                double orig = flat.getDouble(i);
                flat.putScalar(i, orig + h);
                double plus = scalar(sd, loss, feed);
                flat.putScalar(i, orig - h);
                double minus = scalar(sd, loss, feed);
                flat.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * h);
                double analytic = gFlat.getDouble(i);
                double abs = Math.abs(numeric - analytic);
                double rel = abs / Math.max(Math.abs(numeric) + Math.abs(analytic), 1e-300);
                if (abs > minAbsError && rel > maxRelError) bad.add(new Mismatch(name, i, analytic, numeric));
            }
        }
        return bad;
    }

    private static double scalar(SameDiff sd, String loss, Map<String, INDArray> feed) {
        return sd.output(feed, loss).get(loss).getDouble(0);
    }

    /** Names of all trainable variables of the graph. */
    public static List<String> trainable(SameDiff sd) {
        List<String> out = new ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) out.add(v.name());
        return out;
    }
}
