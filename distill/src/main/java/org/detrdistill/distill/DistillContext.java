package org.detrdistill.distill;

import org.detrdistill.datasets.batch.DetectionBatch;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Everything a {@link DistillTerm} may use in one step.
 *
 * @param batch    the batch (images, pixel mask, ground truth)
 * @param teacher  the teacher's outputs for this batch (computed once)
 * @param student  the student's outputs from the matching forward pass, by DetectorNames name (the union of every
 *                 term's {@link DistillTerm#studentOutputs()} and the stage logits/boxes)
 * @param step     0-based global step
 */
public record DistillContext(DetectionBatch batch, TeacherOutputs teacher, Map<String, INDArray> student, long step) {}
