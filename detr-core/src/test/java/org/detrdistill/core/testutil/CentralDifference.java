package org.detrdistill.core.testutil;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Double-precision central-difference gradient check of a scalar SameDiff loss against {@code sd.calculateGradients}.
 * Works for trainable variables (perturbed in place, then restored) and for placeholders (perturbed copies).
 * Call with a DOUBLE graph; {@code Nd4j.setDefaultDataTypes(DOUBLE, DOUBLE)} should be in force.
 */
public final class CentralDifference {
    private CentralDifference() {}

    /** Result of one check: the worst entry. */
    public record Result(String name, int checked, double maxAbsError, double maxRelError, double maxAbsGradient) {
        @Override public String toString() {
            return String.format("%s: %d entries, max|err| %.3e, max rel %.3e, max|grad| %.3e",
                    name, checked, maxAbsError, maxRelError, maxAbsGradient);
        }
    }

    /**
     * Checks {@code samples} entries of the gradient of {@code loss} w.r.t. {@code name}: the {@code samples/2}
     * entries of largest analytic magnitude (so a check is never vacuous) and the rest at random positions.
     * The relative error of an entry is {@code |analytic − numeric| / max(|analytic|, |numeric|, 1e-2)}: the floor
     * keeps round-off of the loss (≈ 1e-16·|loss|/eps) on tiny gradient entries from counting as an error.
     */
    public static Result check(SameDiff sd, String loss, Map<String, INDArray> placeholders, String name, int samples,
                               double eps, long seed) {
        if (sd.getVariable(name) == null) throw new IllegalArgumentException("no variable " + name);
        return compare(sd, loss, placeholders, name, sd.calculateGradients(placeholders, name).get(name), samples, eps, seed);
    }

    /**
     * {@link #check} for several variables with one backward pass (the analytic gradients of all {@code names} are
     * computed together, then each is compared with central differences).
     */
    public static java.util.List<Result> checkAll(SameDiff sd, String loss, Map<String, INDArray> placeholders,
                                                  java.util.List<String> names, int samples, double eps, long seed) {
        for (String name : names) if (sd.getVariable(name) == null) throw new IllegalArgumentException("no variable " + name);
        Map<String, INDArray> grads = sd.calculateGradients(placeholders, names);
        java.util.List<Result> out = new java.util.ArrayList<>();
        for (String name : names) out.add(compare(sd, loss, placeholders, name, grads.get(name), samples, eps, seed));
        return out;
    }

    private static Result compare(SameDiff sd, String loss, Map<String, INDArray> placeholders, String name,
                                  INDArray analytic, int samples, double eps, long seed) {
        SDVariable v = sd.getVariable(name);
        boolean isPlaceholder = v.getVariableType() == VariableType.PLACEHOLDER;
        if (analytic == null) throw new IllegalStateException("no gradient computed for " + name);
        INDArray values = isPlaceholder ? placeholders.get(name) : v.getArr();
        if (values.dataType() != DataType.DOUBLE) throw new IllegalArgumentException(name + " must be DOUBLE");
        long n = values.length();
        Random rng = new Random(seed);
        double maxAbs = 0, maxRel = 0, maxGrad = 0;
        int checked = 0;
        for (long i : pick(analytic, samples, rng)) {
            double orig = values.getDouble(i);
            double plus = lossAt(sd, loss, placeholders, name, isPlaceholder, values, i, orig + eps);
            double minus = lossAt(sd, loss, placeholders, name, isPlaceholder, values, i, orig - eps);
            values.putScalar(i, orig);
            if (!isPlaceholder) v.setArray(values);
            double numeric = (plus - minus) / (2 * eps);
            double a = analytic.getDouble(i);
            double abs = Math.abs(a - numeric);
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, abs / Math.max(Math.max(Math.abs(a), Math.abs(numeric)), 1e-2));
            maxGrad = Math.max(maxGrad, Math.abs(a));
            checked++;
        }
        return new Result(name, checked, maxAbs, maxRel, maxGrad);
    }

    private static long[] pick(INDArray grad, int samples, Random rng) {
        long n = grad.length();
        if (samples >= n) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        double[] g = grad.castTo(DataType.DOUBLE).dup().data().asDouble();
        Integer[] order = new Integer[g.length];
        for (int i = 0; i < g.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(Math.abs(g[b]), Math.abs(g[a])));
        java.util.LinkedHashSet<Long> chosen = new java.util.LinkedHashSet<>();
        for (int i = 0; i < samples / 2; i++) chosen.add((long) order[i]);
        while (chosen.size() < samples) chosen.add((long) (rng.nextDouble() * n));
        return chosen.stream().mapToLong(Long::longValue).toArray();
    }

    private static double lossAt(SameDiff sd, String loss, Map<String, INDArray> placeholders, String name,
                                 boolean isPlaceholder, INDArray values, long i, double value) {
        values.putScalar(i, value);
        Map<String, INDArray> ph = placeholders;
        if (isPlaceholder) {
            ph = new HashMap<>(placeholders);
            ph.put(name, values.dup());
        } else {
            sd.getVariable(name).setArray(values);
        }
        return sd.output(ph, loss).get(loss).getDouble(0);
    }

    /** Names of all trainable variables of the graph, in creation order. */
    public static java.util.List<String> trainable(SameDiff sd) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) out.add(v.name());
        return out;
    }

    /**
     * Checks every variable in {@code names} and returns the results whose relative error exceeds {@code maxRel}
     * (empty = all good).
     */
    public static java.util.List<Result> failures(SameDiff sd, String loss, Map<String, INDArray> placeholders,
                                                  java.util.List<String> names, int samples, double eps, double maxRel, long seed) {
        java.util.List<Result> bad = new java.util.ArrayList<>();
        for (String n : names) {
            Result r = check(sd, loss, placeholders, n, samples, eps, seed);
            if (!(r.maxRelError() <= maxRel)) bad.add(r);
        }
        return bad;
    }
}
