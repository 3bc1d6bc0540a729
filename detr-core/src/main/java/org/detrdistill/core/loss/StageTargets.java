package org.detrdistill.core.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The target placeholders of one stage, fed from an {@link EncodedTargets}. Names are
 * {@code <prefix>targets/<stage>/<field>}.
 *
 * @param classTarget {@code [B,Q,K]} float class-target probabilities ({@code K = C}, or {@code C+1} with no-object)
 * @param queryWeight {@code [B,Q]} float per-query weight of the classification term
 * @param srcIndex    {@code [M]} INT64 flat matched query index {@code b·Q + q}
 * @param targetBoxes {@code [M,4]} float cxcywh target box of each matched query
 * @param boxWeight   {@code [M]} float per-pair weight of the box terms
 */
public record StageTargets(SDVariable classTarget, SDVariable queryWeight, SDVariable srcIndex,
                           SDVariable targetBoxes, SDVariable boxWeight) {

    /**
     * Creates the placeholders of a stage.
     *
     * @param prefix       name prefix of the criterion (may be empty)
     * @param stage        stage name
     * @param classColumns {@code K}
     * @param dataType     floating data type of the predictions
     */
    public static StageTargets create(SameDiff sd, String prefix, String stage, int classColumns, DataType dataType) {
        String p = prefix + "targets/" + stage + "/";
        return new StageTargets(
                sd.placeHolder(p + "class_target", dataType, -1, -1, classColumns),
                sd.placeHolder(p + "query_weight", dataType, -1, -1),
                sd.placeHolder(p + "src_index", DataType.INT64, -1),
                sd.placeHolder(p + "target_boxes", dataType, -1, 4),
                sd.placeHolder(p + "box_weight", dataType, -1));
    }
}
