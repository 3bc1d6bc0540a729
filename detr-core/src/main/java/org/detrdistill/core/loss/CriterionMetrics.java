package org.detrdistill.core.loss;

import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Logging-only values of the reference criteria, computed in Java from the predictions of one stage (no gradient,
 * not part of the total).
 */
public final class CriterionMetrics {
    private CriterionMetrics() {
    }

    /**
     * DETR {@code cardinality_error}: mean over images of {@code |#queries whose argmax is not the last column − #targets|},
     * in float32 like the reference. For sigmoid (focal) logits the last column is a real class; the reference keeps
     * this quirk, and so does this method.
     *
     * @param logits  {@code [B,Q,K]}
     * @param targets one per image
     */
    public static double cardinalityError(INDArray logits, List<ImageTarget> targets) {
        long b = logits.size(0), q = logits.size(1), k = logits.size(2);
        if (targets.size() != b) {
            throw new IllegalArgumentException("logits have " + b + " images, targets " + targets.size());
        }
        float sum = 0;
        for (int i = 0; i < b; i++) {
            int count = 0;
            for (int j = 0; j < q; j++) {
                if (argmax(logits, i, j, k) != k - 1) {
                    count++;
                }
            }
            sum += Math.abs(count - targets.get(i).size());
        }
        return sum / (float) b;
    }

    /**
     * DETR {@code class_error}: {@code 100 − top-1 accuracy (%)} of the matched queries (argmax over all {@code K}
     * columns against the matched target's label); 100 when nothing is matched.
     *
     * @param logits      {@code [B,Q,K]}
     * @param assignments one per image
     * @param targets     one per image
     */
    public static double classError(INDArray logits, List<Assignment> assignments, List<ImageTarget> targets) {
        long k = logits.size(2);
        int matched = 0, correct = 0;
        for (int i = 0; i < assignments.size(); i++) {
            Assignment a = assignments.get(i);
            for (int m = 0; m < a.size(); m++) {
                matched++;
                if (argmax(logits, i, a.queryIndex()[m], k) == targets.get(i).labels()[a.targetIndex()[m]]) {
                    correct++;
                }
            }
        }
        return matched == 0 ? 100.0 : 100.0 - 100.0 * correct / matched;
    }

    private static int argmax(INDArray logits, int i, int j, long k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (logits.getDouble(i, j, c) > logits.getDouble(i, j, best)) {
                best = c;
            }
        }
        return best;
    }
}
