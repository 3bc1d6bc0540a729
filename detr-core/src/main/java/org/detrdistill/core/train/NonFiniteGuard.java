package org.detrdistill.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Map;
import java.util.TreeMap;

/**
 * Detects NaN and infinite values in losses and gradients and stops training with a {@link NonFiniteException} that
 * names the step and the offending term.
 *
 * <p>{@link GradientStep} calls {@link #checkLosses} and {@link #checkGradients} before clipping and the optimizer
 * update ({@link DetectionObjective} calls {@link #checkOutputs} on the predictions it matches, before the step), so a bad step changes neither the parameters nor the optimizer state, and no checkpoint is written after it.
 * As a {@link TrainingListener} it also checks the losses a loop reports (e.g. terms computed outside the graph).
 * Stateless.
 */
public final class NonFiniteGuard implements TrainingListener {

    @Override
    public void onStepEnd(StepMetrics m) {
        checkLoss(m.step(), "total loss", m.totalLoss());
        checkLosses(m.step(), m.weighted());
        checkLosses(m.step(), m.unweighted());
    }

    /** @throws NonFiniteException naming the first non-finite term (in name order) */
    public static void checkLosses(long step, Map<String, Double> losses) {
        for (Map.Entry<String, Double> e : new TreeMap<>(losses).entrySet()) checkLoss(step, e.getKey(), e.getValue());
    }

    /** @throws NonFiniteException if {@code value} is NaN or infinite */
    public static void checkLoss(long step, String term, double value) {
        if (!Double.isFinite(value)) throw new NonFiniteException(step, term, value);
    }

    /**
     * Checks model outputs (e.g. the predictions the Hungarian matching is about to use), in name order.
     *
     * @throws NonFiniteException naming {@code "output <name>"} and the first NaN or infinite entry's value
     */
    public static void checkOutputs(long step, Map<String, INDArray> outputs) {
        for (Map.Entry<String, INDArray> e : new TreeMap<>(outputs).entrySet()) {
            INDArray a = e.getValue();
            if (a == null || a.isEmpty() || !a.dataType().isFPType()) continue;
            boolean nan = BooleanIndexing.or(a, Conditions.isNan());
            if (nan || BooleanIndexing.or(a, Conditions.isInfinite())) {
                double v = nan ? Double.NaN : a.maxNumber().doubleValue() == Double.POSITIVE_INFINITY
                        ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                throw new NonFiniteException(step, "output " + e.getKey(), v);
            }
        }
    }

    /**
     * Checks the gradients given their global norm (as returned by {@link GradientClipper#clip}); a finite norm proves
     * every entry finite, so the arrays are scanned only when it is not.
     *
     * @throws NonFiniteException naming the first gradient (in name order) with a NaN or infinite entry, or the global
     *                            norm itself if every entry is finite but the norm overflowed
     */
    public static void checkGradients(long step, Map<String, INDArray> grads, double globalNorm) {
        if (Double.isFinite(globalNorm)) return;
        for (Map.Entry<String, INDArray> e : new TreeMap<>(grads).entrySet()) {
            INDArray g = e.getValue();
            if (g == null || g.isEmpty()) continue;
            if (BooleanIndexing.or(g, Conditions.isNan()) || BooleanIndexing.or(g, Conditions.isInfinite())) {
                throw new NonFiniteException(step, "gradient of " + e.getKey(), g.norm2Number().doubleValue());
            }
        }
        throw new NonFiniteException(step, "global gradient norm (overflow)", globalNorm);
    }
}
