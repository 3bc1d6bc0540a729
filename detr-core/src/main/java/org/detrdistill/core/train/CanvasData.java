package org.detrdistill.core.train;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.image.DecodedImage;
import org.detrdistill.datasets.image.DetectionSample;
import org.detrdistill.datasets.image.DetectionTransform;
import org.detrdistill.datasets.image.DetrTransforms;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * COCO data for a detector's fixed input canvas ({@link DetectorConfig#inputHeight()} × {@code inputWidth()}): every
 * image is resized to fit inside the canvas and padded to it (pixel mask 1 on the padding), as the graph needs.
 *
 * <p>The resizes are DETR's recipes ({@link DetrTransforms}) with the shortest side {@code min(H, W)} and the longest
 * side at most {@code max(H, W)} of the canvas, followed by {@link #fitInside}: DETR's integer rounding can leave the
 * longest side a pixel over, and a canvas whose orientation differs from the image's (a portrait image on a landscape
 * canvas) needs a smaller scale; both end up inside the canvas, aspect ratio kept. On a square canvas a square image
 * fills it exactly in evaluation.
 *
 * <pre>{@code
 * CocoDataset train = CocoSplit.inDataDir(data, "train").read(), val = CocoSplit.inDataDir(data, "val").read();
 * CocoDetectionIterator batches = CanvasData.trainBatches(train, config,
 *         LoaderConfig.builder().batchSize(8).workers(1).build(), true);
 * DetectorEvaluator evaluator = CanvasData.evaluator(val, config, 8, 1, 100);
 * }</pre>
 */
public final class CanvasData {
    private CanvasData() {}

    /** DETR's evaluation resize for the canvas, then {@link #fitInside}. Deterministic. */
    public static DetectionTransform evalTransform(int canvasHeight, int canvasWidth) {
        checkCanvas(canvasHeight, canvasWidth);
        return DetrTransforms.eval(Math.min(canvasHeight, canvasWidth), Math.max(canvasHeight, canvasWidth))
                .andThen(fitInside(canvasHeight, canvasWidth));
    }

    /**
     * DETR's training augmentation (flip, multi-scale resize, random crop branch) scaled to the canvas, then
     * {@link #fitInside}.
     */
    public static DetectionTransform trainTransform(int canvasHeight, int canvasWidth) {
        checkCanvas(canvasHeight, canvasWidth);
        return DetrTransforms.train(Math.min(canvasHeight, canvasWidth), Math.max(canvasHeight, canvasWidth))
                .andThen(fitInside(canvasHeight, canvasWidth));
    }

    /**
     * Scales an image that is larger than {@code canvasWidth × canvasHeight} down to fit inside, keeping its aspect
     * ratio (each side {@code floor(side * s)}, at least 1, {@code s = min(W/w, H/h)}); boxes are scaled alike.
     * Images that already fit are returned unchanged.
     */
    public static DetectionTransform fitInside(int canvasHeight, int canvasWidth) {
        checkCanvas(canvasHeight, canvasWidth);
        return (sample, rng) -> {
            DecodedImage img = sample.image();
            if (img.width() <= canvasWidth && img.height() <= canvasHeight) return sample;
            double s = Math.min((double) canvasWidth / img.width(), (double) canvasHeight / img.height());
            int w = Math.max(1, Math.min(canvasWidth, (int) Math.floor(img.width() * s)));
            int h = Math.max(1, Math.min(canvasHeight, (int) Math.floor(img.height() * s)));
            float sx = (float) w / img.width(), sy = (float) h / img.height();
            float[] b = sample.boxes().clone();
            for (int i = 0; i < b.length; i += 4) {
                b[i] *= sx;
                b[i + 1] *= sy;
                b[i + 2] *= sx;
                b[i + 3] *= sy;
            }
            DecodedImage resized = img.resize(w, h);
            img.close();
            return sample.with(resized, b, sample.labels());
        };
    }

    /** {@link #evalTransform} applied to one sample (deterministic, so no generator is needed). */
    public static DetectionSample fitForEval(DetectionSample sample, int canvasHeight, int canvasWidth) {
        return evalTransform(canvasHeight, canvasWidth).apply(sample, new SplittableRandom(0));
    }

    /**
     * Training batches padded to {@code detector}'s canvas.
     *
     * @param loader  batch size, workers, shuffling and seed; its canvas is replaced by the detector's
     * @param augment DETR's training augmentation ({@link #trainTransform}); false = the evaluation resize only
     */
    public static CocoDetectionIterator trainBatches(CocoDataset dataset, DetectorConfig detector, LoaderConfig loader,
                                                     boolean augment) {
        int h = detector.inputHeight(), w = detector.inputWidth();
        return CocoDetectionIterator.builder(dataset)
                .config(loader.toBuilder().canvas(h, w).build())
                .transform(augment ? trainTransform(h, w) : evalTransform(h, w))
                .build();
    }

    /** Evaluation batches: dataset order, the evaluation resize, padded to {@code detector}'s canvas. */
    public static CocoDetectionIterator evalBatches(CocoDataset dataset, DetectorConfig detector, int batchSize, int workers) {
        int h = detector.inputHeight(), w = detector.inputWidth();
        return CocoDetectionIterator.builder(dataset)
                .config(LoaderConfig.builder().batchSize(batchSize).workers(workers).shuffle(false).canvas(h, w).build())
                .transform(evalTransform(h, w))
                .build();
    }

    /**
     * COCO evaluation of a detector with {@code detector}'s canvas on {@code val} (its own file is the ground truth).
     *
     * @param topK detections kept per image (100 in the papers)
     */
    public static DetectorEvaluator evaluator(CocoDataset val, DetectorConfig detector, int batchSize, int workers, int topK) {
        Objects.requireNonNull(val, "val");
        Objects.requireNonNull(detector, "detector");
        return new DetectorEvaluator(() -> evalBatches(val, detector, batchSize, workers), val.categories(), val.file(), topK);
    }

    private static void checkCanvas(int h, int w) {
        if (h < 1 || w < 1) throw new IllegalArgumentException("canvas must be positive, got " + w + "x" + h);
    }
}
