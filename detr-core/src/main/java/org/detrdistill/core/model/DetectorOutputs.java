package org.detrdistill.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.Map;

/**
 * The arrays of one forward pass, addressed by {@link DetectorNames}. Only the outputs that were asked for are present.
 */
public record DetectorOutputs(Map<String, INDArray> arrays, int numStages) {
    public DetectorOutputs {
        arrays = Collections.unmodifiableMap(arrays);
    }

    /** The array called {@code name}. @throws IllegalArgumentException if it was not computed */
    public INDArray get(String name) {
        INDArray a = arrays.get(name);
        if (a == null) throw new IllegalArgumentException("output '" + name + "' was not computed; present: " + arrays.keySet());
        return a;
    }

    /** {@code [B,Q,C]} final logits. */
    public INDArray logits() { return get(DetectorNames.LOGITS); }

    /** {@code [B,Q,4]} final boxes, cxcywh normalised. */
    public INDArray boxes() { return get(DetectorNames.BOXES); }

    /** {@code [B,Q,C]} logits of stage k. */
    public INDArray stageLogits(int k) { return get(DetectorNames.stageLogits(k)); }

    /** {@code [B,Q,4]} boxes of stage k. */
    public INDArray stageBoxes(int k) { return get(DetectorNames.stageBoxes(k)); }

    /** {@code [B,Q,d]} hidden states of stage k. */
    public INDArray stageHidden(int k) { return get(DetectorNames.stageHidden(k)); }
}
