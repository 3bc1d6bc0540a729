package org.detrdistill.core.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of one evaluation, as reported to {@link TrainingListener#onEval}. Immutable.
 *
 * @param step    global iteration after which the evaluation ran
 * @param epoch   0-based epoch that had just ended (or -1 for an evaluation outside training)
 * @param metrics named values in insertion order, e.g. COCO's {@code AP}, {@code AP50}, {@code AP75}, {@code APs},
 *                {@code APm}, {@code APl} (in [0,1]; -1 where COCO reports no value)
 */
public record EvalStats(long step, int epoch, Map<String, Double> metrics) {
    public EvalStats {
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metrics, "metrics")));
    }

    /** The value of {@code name}, or NaN if absent. */
    public double get(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }
}
