package org.detrdistill.distill;

import org.detrdistill.datasets.batch.DetectionBatch;

import java.util.Set;

/**
 * A frozen teacher detector. Per batch it gives the named outputs the distillation terms need, addressed by
 * {@link org.detrdistill.core.model.DetectorNames} ({@code pred_logits}, {@code stage_<k>/logits|boxes|hidden},
 * {@code feature_<l>}, {@code query_embed}, ...). It runs at most once per batch: every term reads the same
 * {@link TeacherOutputs}. A teacher never changes: it has no optimizer state and no trainable parameter.
 *
 * <p>Implementations: a native detector loaded from a checkpoint, a COCO results file (boxes and scores only, for
 * Teach-DETR), an imported ONNX graph.
 */
public interface Teacher extends AutoCloseable {

    /** Names of the outputs this teacher can provide (a term that needs something else fails at construction). */
    Set<String> provides();

    /** Number of decoder stages whose outputs it provides (0 for a results-file teacher). */
    int numStages();

    /** Runs the teacher on {@code batch} (images padded to the student's canvas, the same pixel mask). */
    TeacherOutputs run(DetectionBatch batch);

    /** A short description for logs, e.g. {@code native deformable_detr (checkpoint runs/t/best.zip)}. */
    String describe();

    @Override default void close() {}
}
