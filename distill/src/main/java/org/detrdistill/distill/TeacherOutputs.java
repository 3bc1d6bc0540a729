package org.detrdistill.distill;

import org.detrdistill.core.matcher.Assignment;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What a teacher produced for one batch.
 *
 * @param arrays      outputs by {@link org.detrdistill.core.model.DetectorNames} name (the teacher's own shapes:
 *                    its Q, C, d and stage count may differ from the student's)
 * @param assignments the teacher's own Hungarian assignment of its predictions to the ground truth, per stage
 *                    (outer list) and image (inner list); empty when the teacher cannot provide it
 * @param boxes       per image, boxes for box-level supervision (Teach-DETR): {@code [n,4]} cxcywh normalised,
 *                    with {@link #scores} and {@link #labels}; may be empty for teachers that give full outputs
 * @param scores      per image {@code [n]} confidence of each box
 * @param labels      per image contiguous class labels of each box
 */
public record TeacherOutputs(Map<String, INDArray> arrays, List<List<Assignment>> assignments,
                             List<INDArray> boxes, List<double[]> scores, List<int[]> labels) {
    public TeacherOutputs {
        arrays = Collections.unmodifiableMap(arrays);
        assignments = List.copyOf(assignments);
        boxes = List.copyOf(boxes);
        scores = List.copyOf(scores);
        labels = List.copyOf(labels);
    }

    /** The array {@code name}. @throws IllegalArgumentException naming what is present */
    public INDArray get(String name) {
        INDArray a = arrays.get(name);
        if (a == null) throw new IllegalArgumentException("the teacher did not provide '" + name + "'; it has " + arrays.keySet());
        return a;
    }
}
