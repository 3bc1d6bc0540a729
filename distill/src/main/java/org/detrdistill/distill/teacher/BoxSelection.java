package org.detrdistill.distill.teacher;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Which of a teacher's scored boxes of one image are kept as box-level supervision (Teach-DETR, METHOD §3): the boxes
 * whose score is at least {@code scoreThreshold}, at most {@code maxPerImage} of them, the highest scores first (ties
 * keep their input order).
 *
 * @param scoreThreshold minimum score kept, in {@code [0, 1]}
 * @param maxPerImage    maximum boxes kept per image, {@code >= 1} (Teach-DETR: 50)
 */
public record BoxSelection(double scoreThreshold, int maxPerImage) {
    /** Teach-DETR's cap on boxes per teacher and image. */
    public static final int TEACH_DETR_MAX_PER_IMAGE = 50;
    /**
     * The default threshold of this framework. METHOD §3 names a threshold but no value; the official offline files
     * were cut at 50 boxes after NMS. 0.3 keeps confident boxes of a DETR teacher without flooding the student with
     * near-zero-score ones (whose terms are weighted by their scores anyway).
     */
    public static final double DEFAULT_THRESHOLD = 0.3;

    public BoxSelection {
        if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) {
            throw new IllegalArgumentException("scoreThreshold must be in [0, 1], got " + scoreThreshold);
        }
        if (maxPerImage < 1) throw new IllegalArgumentException("maxPerImage must be >= 1, got " + maxPerImage);
    }

    /** Threshold {@value #DEFAULT_THRESHOLD}, at most {@value #TEACH_DETR_MAX_PER_IMAGE} boxes per image. */
    public static BoxSelection defaults() {
        return new BoxSelection(DEFAULT_THRESHOLD, TEACH_DETR_MAX_PER_IMAGE);
    }

    /** At most {@value #TEACH_DETR_MAX_PER_IMAGE} boxes with score {@code >= threshold}. */
    public static BoxSelection threshold(double scoreThreshold) {
        return new BoxSelection(scoreThreshold, TEACH_DETR_MAX_PER_IMAGE);
    }

    /**
     * The kept entries of one image.
     *
     * @param scores score of every candidate box
     * @return indices into {@code scores}: score descending, ties in input order, all {@code >= scoreThreshold},
     *         at most {@code maxPerImage}
     */
    public int[] select(double[] scores) {
        return IntStream.range(0, scores.length).boxed()
                .filter(i -> scores[i] >= scoreThreshold)
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]))   // stable: ties keep input order
                .limit(maxPerImage)
                .mapToInt(Integer::intValue).toArray();
    }

    @Override public String toString() {
        return "score >= " + scoreThreshold + ", at most " + maxPerImage + " per image";
    }

    /** Number of entries of {@code scores} at or above the threshold (before the cap). */
    int countAbove(double[] scores) {
        return (int) Arrays.stream(scores).filter(s -> s >= scoreThreshold).count();
    }
}
