package org.detrdistill.core.train;

/**
 * Where a training run stands, saved in every checkpoint. Immutable.
 *
 * @param epoch      0-based epoch to run next (the number of completed epochs when saved at an epoch end)
 * @param step       optimizer steps done so far, i.e. the 0-based index of the next step (drives the LR schedule)
 * @param bestMetric the best evaluation metric so far (e.g. COCO AP), NaN if there was no evaluation yet
 * @param bestEpoch  the epoch that reached {@code bestMetric}, -1 if none
 */
public record TrainingState(int epoch, long step, double bestMetric, int bestEpoch) {
    public TrainingState {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        if (Double.isInfinite(bestMetric)) throw new IllegalArgumentException("bestMetric must be finite or NaN, got " + bestMetric);
        if (bestEpoch < -1) throw new IllegalArgumentException("bestEpoch must be >= -1, got " + bestEpoch);
        if (Double.isNaN(bestMetric) != (bestEpoch == -1)) {
            throw new IllegalArgumentException("bestMetric " + bestMetric + " and bestEpoch " + bestEpoch + " disagree: both set or neither");
        }
    }

    /** The start of a run: epoch 0, step 0, no best metric. */
    public static TrainingState initial() { return new TrainingState(0, 0, Double.NaN, -1); }

    /** Whether a best metric was recorded. */
    public boolean hasBest() { return !Double.isNaN(bestMetric); }

    /** This state after {@code steps} more optimizer steps. */
    public TrainingState advancedBy(long steps) { return new TrainingState(epoch, step + steps, bestMetric, bestEpoch); }

    /** This state at the start of epoch {@code next}. */
    public TrainingState atEpoch(int next) { return new TrainingState(next, step, bestMetric, bestEpoch); }

    /**
     * Records {@code metric} of {@code epochEvaluated} if it beats the best so far (higher is better).
     *
     * @return the new state (this one if not better)
     */
    public TrainingState withEval(double metric, int epochEvaluated) {
        if (Double.isNaN(metric) || hasBest() && metric <= bestMetric) return this;
        return new TrainingState(epoch, step, metric, epochEvaluated);
    }

    /** Whether {@code metric} would become the new best. */
    public boolean isImprovement(double metric) { return !Double.isNaN(metric) && (!hasBest() || metric > bestMetric); }
}
