package org.detrdistill.core.train;

import java.util.Map;
import java.util.Objects;

/**
 * What one optimizer step reports to {@link TrainingListener#onStepEnd}. Immutable.
 *
 * @param step       0-based global iteration of this step
 * @param epoch      0-based epoch it belongs to
 * @param totalLoss  the optimised loss (sum of the weighted terms)
 * @param weighted   loss terms as optimised (weight applied), by name, e.g. {@code loss_bbox_0}
 * @param unweighted the same terms without their weights, by the same names (may be empty if unknown)
 * @param lr         the base learning rate of this step (before group multipliers)
 * @param gradNorm   global gradient L2 norm before clipping (NaN if not measured)
 * @param itPerSec   iterations per second, measured by the caller over recent steps (NaN if unknown)
 */
public record StepMetrics(long step, int epoch, double totalLoss, Map<String, Double> weighted,
                          Map<String, Double> unweighted, double lr, double gradNorm, double itPerSec) {
    public StepMetrics {
        weighted = Map.copyOf(Objects.requireNonNull(weighted, "weighted"));
        unweighted = Map.copyOf(Objects.requireNonNull(unweighted, "unweighted"));
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
}
