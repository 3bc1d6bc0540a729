package org.detrdistill.core.train;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.core.postprocess.PostProcessor;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.coco.CategoryMap;
import org.detrdistill.datasets.eval.CocoDetections;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.detrdistill.datasets.eval.CocoEvaluator;
import org.detrdistill.datasets.eval.CocoGroundTruth;
import org.detrdistill.datasets.eval.DetectionResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * COCO evaluation of a detector on a validation set: forward every batch, keep the top-k (query, class) pairs per
 * image ({@link PostProcessor}), map labels back to COCO category ids, and score them with the pycocotools-equal
 * {@link CocoEvaluator} against the annotation file.
 */
public final class DetectorEvaluator {
    private final Supplier<CocoDetectionIterator> batches;
    private final CategoryMap categories;
    private final CocoGroundTruth groundTruth;
    private final PostProcessor postProcessor;

    /**
     * @param batches     a fresh, unshuffled iterator over the validation images (eval transforms, the detector's canvas)
     * @param categories  label ↔ category id mapping of the dataset
     * @param annotations the validation instances JSON (the ground truth)
     * @param topK        detections kept per image
     */
    public DetectorEvaluator(Supplier<CocoDetectionIterator> batches, CategoryMap categories, Path annotations, int topK) {
        this.batches = batches;
        this.categories = categories;
        try {
            this.groundTruth = CocoGroundTruth.read(annotations);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the validation annotations " + annotations + ": " + e.getMessage(), e);
        }
        this.postProcessor = PostProcessor.sigmoidTopK(topK);
    }

    /** Runs the detector over the whole validation set and returns its detections in COCO results form. */
    public List<DetectionResult> predict(DetectorGraph detector) {
        List<DetectionResult> results = new ArrayList<>();
        try (CocoDetectionIterator it = batches.get()) {
            while (it.hasNext()) {
                DetectionBatch batch = it.next();
                var out = detector.forward(batch.images(), batch.mask(), org.detrdistill.core.model.DetectorNames.LOGITS,
                        org.detrdistill.core.model.DetectorNames.BOXES);
                for (Detections d : postProcessor.process(out.logits(), out.boxes(), batch.targets())) results.addAll(toResults(d));
            }
        }
        return results;
    }

    /** {@link #predict} then COCO evaluation. */
    public CocoEvaluation evaluate(DetectorGraph detector) {
        return new CocoEvaluator().evaluate(groundTruth, CocoDetections.of(predict(detector), groundTruth));
    }

    /** One image's detections (xyxy pixels, contiguous labels) as COCO results (xywh pixels, category ids). */
    public List<DetectionResult> toResults(Detections d) {
        return d.toResults(categories::categoryIdOf);
    }

    public CocoGroundTruth groundTruth() { return groundTruth; }
}
