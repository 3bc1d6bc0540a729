package org.detrdistill.core.postprocess;

import org.detrdistill.core.box.HostArrays;
import org.detrdistill.datasets.eval.DetectionResult;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * The detections of one image, sorted by score (descending). Immutable: the accessors return copies.
 *
 * @param imageId image id (COCO id when built from an {@code ImageTarget}, else the index in the batch)
 * @param scores  {@code [k]} confidence in [0,1], descending
 * @param labels  {@code [k]} contiguous class labels in {@code [0, numClasses)}
 * @param boxes   {@code [k*4]} row-major xyxy boxes in pixels of the original image: {@code (x0, y0, x1, y1)} of
 *                detection {@code i} at {@code 4*i..4*i+3}
 */
public record Detections(long imageId, double[] scores, int[] labels, double[] boxes) {
    public Detections {
        if (scores.length != labels.length || boxes.length != 4 * scores.length) {
            throw new IllegalArgumentException("image " + imageId + ": " + scores.length + " scores, " + labels.length
                    + " labels and " + boxes.length + " box coordinates (need 4 per detection)");
        }
        scores = scores.clone();
        labels = labels.clone();
        boxes = boxes.clone();
    }

    /** {@code [k]} scores, descending (a copy). */
    @Override public double[] scores() { return scores.clone(); }

    /** {@code [k]} labels (a copy). */
    @Override public int[] labels() { return labels.clone(); }

    /** {@code [k*4]} xyxy pixel boxes, row-major (a copy). */
    @Override public double[] boxes() { return boxes.clone(); }

    /** Number of detections. */
    public int size() { return scores.length; }

    /** Score of detection {@code i}. */
    public double score(int i) { return scores[i]; }

    /** Label of detection {@code i}. */
    public int label(int i) { return labels[i]; }

    /** {@code (x0, y0, x1, y1)} in pixels of detection {@code i} (a new array). */
    public double[] box(int i) { return Arrays.copyOfRange(boxes, 4 * i, 4 * i + 4); }

    /**
     * The detections with a score of at least {@code minScore} (a prefix, since scores are sorted descending).
     */
    public Detections withMinScore(double minScore) {
        int n = 0;
        while (n < scores.length && scores[n] >= minScore) n++;
        return n == scores.length ? this : new Detections(imageId, Arrays.copyOf(scores, n), Arrays.copyOf(labels, n),
                Arrays.copyOf(boxes, 4 * n));
    }

    /**
     * The detections as COCO results: {@code bbox} {@code [x, y, w, h]} in pixels of the original image, the
     * category id of each label from {@code categoryIdOfLabel} (e.g. {@code CategoryMap::categoryIdOf}).
     */
    public List<DetectionResult> toResults(IntToLongFunction categoryIdOfLabel) {
        List<DetectionResult> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            double x0 = boxes[4 * i], y0 = boxes[4 * i + 1], x1 = boxes[4 * i + 2], y1 = boxes[4 * i + 3];
            out.add(new DetectionResult(imageId, Math.toIntExact(categoryIdOfLabel.applyAsLong(labels[i])), x0, y0,
                    x1 - x0, y1 - y0, scores[i]));
        }
        return out;
    }

    /** The boxes as a {@code [k,4]} DOUBLE array (xyxy pixels). */
    public INDArray boxesArray() { return HostArrays.doubles(boxes.clone(), size(), 4); }

    @Override public boolean equals(Object o) {
        return o instanceof Detections d && imageId == d.imageId && Arrays.equals(scores, d.scores)
                && Arrays.equals(labels, d.labels) && Arrays.equals(boxes, d.boxes);
    }

    @Override public int hashCode() {
        return Long.hashCode(imageId) + 31 * (Arrays.hashCode(scores) + 31 * (Arrays.hashCode(labels)
                + 31 * Arrays.hashCode(boxes)));
    }

    @Override public String toString() {
        return "Detections[image " + imageId + ", " + size() + " detections" + (size() > 0 ? ", best label "
                + labels[0] + " score " + scores[0] : "") + "]";
    }
}
