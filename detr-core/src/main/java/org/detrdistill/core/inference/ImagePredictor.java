package org.detrdistill.core.inference;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.core.postprocess.PostProcessor;
import org.detrdistill.core.train.CanvasData;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.DetectionCollator;
import org.detrdistill.datasets.image.DecodedImage;
import org.detrdistill.datasets.image.DetectionSample;
import org.detrdistill.datasets.image.Normalization;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs a detector on image files: each image is decoded, resized to fit the detector's canvas (the evaluation resize
 * of {@link CanvasData}), normalised (ImageNet mean/std, as in training) and padded to the canvas with the pixel mask
 * marking the padding; images go through the graph in batches; the outputs are post-processed (sigmoid top-k over
 * queries × classes) into {@link Detections} in pixels of the original image, and those below the score threshold
 * are dropped.
 *
 * <pre>{@code
 * ImagePredictor predictor = new ImagePredictor(detector, 100, 0.3, 4);
 * List<Detections> dets = predictor.predict(List.of(Path.of("a.jpg"), Path.of("b.png")), new long[] {1, 2});
 * }</pre>
 * Not thread-safe (the graph is not).
 */
public final class ImagePredictor {
    private final DetectorGraph detector;
    private final PostProcessor postProcessor;
    private final double scoreThreshold;
    private final int batchSize;

    /**
     * @param detector       the graph (its config's canvas decides the input size)
     * @param topK           detections kept per image before the threshold (100 in the papers), &ge; 1
     * @param scoreThreshold smallest score kept, in [0, 1]
     * @param batchSize      images per forward pass, &ge; 1
     */
    public ImagePredictor(DetectorGraph detector, int topK, double scoreThreshold, int batchSize) {
        this.detector = Objects.requireNonNull(detector, "detector");
        if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) {
            throw new IllegalArgumentException("score threshold must be in [0, 1], got " + scoreThreshold);
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        this.postProcessor = PostProcessor.sigmoidTopK(topK);
        this.scoreThreshold = scoreThreshold;
        this.batchSize = batchSize;
    }

    /**
     * Detects objects in image files (JPEG, PNG, BMP, ...: whatever OpenCV decodes).
     *
     * @param files    the images
     * @param imageIds one id per file, carried into the {@link Detections}
     * @return one {@link Detections} per file, in order: xyxy boxes in pixels of the original image (not clipped),
     *         scores descending, all &ge; the threshold
     * @throws IOException if a file is missing or not a decodable image (naming the file)
     */
    public List<Detections> predict(List<Path> files, long[] imageIds) throws IOException {
        if (files.size() != imageIds.length) {
            throw new IllegalArgumentException(files.size() + " files but " + imageIds.length + " image ids");
        }
        List<Detections> out = new ArrayList<>(files.size());
        for (int from = 0; from < files.size(); from += batchSize) {
            int to = Math.min(files.size(), from + batchSize);
            List<DetectionSample> samples = new ArrayList<>(to - from);
            try {
                for (int i = from; i < to; i++) samples.add(sample(files.get(i), imageIds[i]));
            } catch (IOException | RuntimeException e) {
                samples.forEach(s -> s.image().close());
                throw e;
            }
            out.addAll(predictSamples(samples));
        }
        return out;
    }

    /**
     * Detects objects in decoded images that already fit the canvas or not (they are resized like files). Consumes
     * (closes) the samples' images.
     *
     * @param samples images with their ids and original sizes; boxes and labels are ignored
     */
    public List<Detections> predictSamples(List<DetectionSample> samples) {
        if (samples.isEmpty()) return List.of();
        DetectorConfig c = detector.config();
        List<DetectionSample> fitted = new ArrayList<>(samples.size());
        for (DetectionSample s : samples) fitted.add(CanvasData.fitForEval(s, c.inputHeight(), c.inputWidth()));
        DetectionBatch batch = DetectionCollator.collate(fitted, Normalization.IMAGENET, 1, c.inputHeight(), c.inputWidth());
        DetectorOutputs o = detector.forward(batch.images(), batch.mask(), DetectorNames.LOGITS, DetectorNames.BOXES);
        List<Detections> all = postProcessor.process(o.logits(), o.boxes(), batch.targets());
        List<Detections> kept = new ArrayList<>(all.size());
        for (Detections d : all) kept.add(d.withMinScore(scoreThreshold));
        return kept;
    }

    /** The score threshold. */
    public double scoreThreshold() { return scoreThreshold; }

    private static DetectionSample sample(Path file, long id) throws IOException {
        DecodedImage img = DecodedImage.read(file);
        return new DetectionSample(id, img, new float[0], new int[0], img.width(), img.height());
    }
}
