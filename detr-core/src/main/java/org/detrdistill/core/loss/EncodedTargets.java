package org.detrdistill.core.loss;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The matched targets of one stage as arrays, ready to feed the placeholders of a {@link StageTargets}.
 * Built by {@link TargetEncoder}; immutable by convention (the arrays are not copied, do not modify them).
 *
 * <p>{@code srcIndex} always has at least one entry: when nothing is matched it holds one padding pair (query 0,
 * box (0.5, 0.5, 1, 1), weight 0) so that no placeholder is empty; its terms are finite and contribute exactly 0
 * to the losses and their gradients.
 *
 * @param classTarget {@code [B,Q,K]} class-target probabilities (one-hot, soft scores, or all zero for background)
 * @param queryWeight {@code [B,Q]} per-query weight of the classification term (1 by default)
 * @param srcIndex    {@code [M]} INT64 flat matched query index {@code b·Q + q}, ordered by image, then query
 * @param targetBoxes {@code [M,4]} cxcywh, normalised: the target box matched to each {@code srcIndex}
 * @param boxWeight   {@code [M]} per-pair weight of the box terms (1 by default, 0 for the padding pair)
 * @param numMatched  number of real matched pairs (without padding)
 */
public record EncodedTargets(INDArray classTarget, INDArray queryWeight, INDArray srcIndex, INDArray targetBoxes,
                             INDArray boxWeight, int numMatched) {
    public EncodedTargets {
        Objects.requireNonNull(classTarget, "classTarget");
        Objects.requireNonNull(queryWeight, "queryWeight");
        Objects.requireNonNull(srcIndex, "srcIndex");
        Objects.requireNonNull(targetBoxes, "targetBoxes");
        Objects.requireNonNull(boxWeight, "boxWeight");
        if (classTarget.rank() != 3) {
            throw new IllegalArgumentException("classTarget must be [B,Q,K], got rank " + classTarget.rank());
        }
        long b = classTarget.size(0);
        long q = classTarget.size(1);
        if (queryWeight.rank() != 2 || queryWeight.size(0) != b || queryWeight.size(1) != q) {
            throw new IllegalArgumentException("queryWeight must be [" + b + "," + q + "]");
        }
        long m = srcIndex.length();
        if (srcIndex.rank() != 1 || srcIndex.dataType() != DataType.INT64 || m < 1) {
            throw new IllegalArgumentException("srcIndex must be a non-empty INT64 vector, got "
                    + srcIndex.dataType() + " " + java.util.Arrays.toString(srcIndex.shape()));
        }
        if (targetBoxes.rank() != 2 || targetBoxes.size(0) != m || targetBoxes.size(1) != 4) {
            throw new IllegalArgumentException("targetBoxes must be [" + m + ",4], got "
                    + java.util.Arrays.toString(targetBoxes.shape()));
        }
        if (boxWeight.rank() != 1 || boxWeight.length() != m) {
            throw new IllegalArgumentException("boxWeight must be [" + m + "], got "
                    + java.util.Arrays.toString(boxWeight.shape()));
        }
    }

    /** Placeholder values for {@code t}: name -> array. */
    public Map<String, INDArray> feed(StageTargets t) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(t.classTarget().name(), classTarget);
        m.put(t.queryWeight().name(), queryWeight);
        m.put(t.srcIndex().name(), srcIndex);
        m.put(t.targetBoxes().name(), targetBoxes);
        m.put(t.boxWeight().name(), boxWeight);
        return m;
    }
}
