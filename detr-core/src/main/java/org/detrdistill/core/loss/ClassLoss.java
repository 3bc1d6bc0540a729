package org.detrdistill.core.loss;

/** The classification term of the set criterion. */
public enum ClassLoss {
    /**
     * Sigmoid focal loss over {@code C} independent classes (Deformable DETR, Conditional DETR, AdaMixer):
     * summed over {@code B·Q·C}, divided by {@code num_boxes}. Unmatched queries have an all-zero target row.
     * With {@code gamma = 0} and {@code alpha < 0} it is plain binary cross-entropy with logits.
     */
    SIGMOID_FOCAL,
    /**
     * Softmax cross-entropy over {@code C + 1} columns, the last one "no object" (original DETR): a weighted mean
     * over the {@code B·Q} queries, each weighted by its target class weight (1, or {@code eosCoef} for no-object);
     * not divided by {@code num_boxes}.
     */
    SOFTMAX_CE
}
