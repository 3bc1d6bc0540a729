package org.detrdistill.core.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Objects;

/**
 * The targets of one image in their general form: class probabilities instead of labels, and a weight per target.
 * Ground truth is the special case of one-hot rows and weights 1 ({@link TargetEncoder#encode}); distillation uses
 * teacher scores as soft labels (DETRDistill) or teacher scores as weights (Teach-DETR).
 *
 * @param classProbs {@code [n,C]} target probability of each real class, in [0,1] (rows need not sum to 1)
 * @param boxes      {@code [n,4]} cxcywh, normalised
 * @param weights    {@code [n]} weight of each target (applied to its box terms and to the classification term of the
 *                   query matched to it), or null for all 1
 */
public record SoftTargets(INDArray classProbs, INDArray boxes, double[] weights) {
    public SoftTargets {
        Objects.requireNonNull(classProbs, "classProbs");
        Objects.requireNonNull(boxes, "boxes");
        if (classProbs.rank() != 2) {
            throw new IllegalArgumentException("classProbs must be [n,C], got " + Arrays.toString(classProbs.shape()));
        }
        long n = classProbs.size(0);
        if (boxes.rank() != 2 || boxes.size(0) != n || boxes.size(1) != 4) {
            throw new IllegalArgumentException("boxes must be [" + n + ",4], got " + Arrays.toString(boxes.shape()));
        }
        if (weights != null && weights.length != n) {
            throw new IllegalArgumentException("weights must have " + n + " entries, got " + weights.length);
        }
    }

    /** Number of targets. */
    public int size() {
        return (int) classProbs.size(0);
    }

    /** Weight of target {@code j} (1 when no weights are given). */
    public double weight(int j) {
        return weights == null ? 1.0 : weights[j];
    }
}
