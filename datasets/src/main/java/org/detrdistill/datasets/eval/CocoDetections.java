package org.detrdistill.datasets.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A set of detections bound to a {@link CocoGroundTruth}, in primitive columns, grouped for evaluation.
 *
 * <p>How entries that do not fit the ground truth are treated (both as pycocotools' {@code loadRes}/{@code COCOeval}):
 * <ul>
 *   <li>a detection whose {@code image_id} is not an image of the ground truth is an <b>error</b>
 *       ({@link CocoFormatException} naming the file, the entry and the id; pycocotools asserts "Results do not
 *       correspond to current coco set");</li>
 *   <li>a detection whose {@code category_id} is not a category of the ground truth is <b>counted and skipped</b>
 *       ({@link #skippedUnknownCategory()}), as pycocotools never evaluates it;</li>
 *   <li>an empty results array is accepted (every AP/AR is then 0, or -1 where there is no ground truth), where
 *       pycocotools fails on {@code anns[0]}.</li>
 * </ul>
 * The detection's area is {@code w*h}; its id is its 1-based position in the file (both as {@code loadRes}).
 */
public final class CocoDetections {
    private final CocoGroundTruth groundTruth;
    private final String source;
    final int[] image;
    final int[] category;
    /** {@code [n*4]} x, y, w, h interleaved. */
    final double[] box;
    final double[] score;
    /** Kept detections ordered by (category index, image index, score descending, file order). */
    final int[] byCategory;
    /** {@code [K+1]} offsets into {@link #byCategory} per category index. */
    final int[] catStart;
    private final int skippedUnknownCategory;

    private CocoDetections(CocoGroundTruth gt, String source, Columns c) {
        this.groundTruth = gt;
        this.source = source;
        int n = c.n;
        this.image = Arrays.copyOf(c.image, n);
        this.category = Arrays.copyOf(c.category, n);
        this.box = Arrays.copyOf(c.box, 4 * n);
        this.score = Arrays.copyOf(c.score, n);
        this.skippedUnknownCategory = c.skipped;
        int[] byImage = Grouping.stableCountingOrder(image, null, gt.imageCount());
        int[] order = Grouping.stableCountingOrder(category, byImage, gt.categoryCount());
        // within each (category, image) run: stable sort by score, highest first
        int s = 0;
        while (s < n) {
            int e = s + 1;
            while (e < n && category[order[e]] == category[order[s]] && image[order[e]] == image[order[s]]) e++;
            if (e - s > 1) StableSort.byDescendingKey(order, s, e, score);
            s = e;
        }
        this.byCategory = order;
        this.catStart = Grouping.starts(category, gt.categoryCount());
    }

    /**
     * Reads a COCO results file (see {@link CocoResults}) against {@code gt}.
     *
     * @throws CocoFormatException malformed JSON, a missing/ill-typed field, or a detection on an image that is not
     *                             in {@code gt}; the message names the file, the entry and the location
     */
    public static CocoDetections read(Path file, CocoGroundTruth gt) throws IOException {
        Objects.requireNonNull(gt, "gt");
        Columns c = new Columns();
        try (JsonInput in = JsonInput.open(file)) {
            CocoResults.stream(in, (i, img, cat, x, y, w, h, s, src) -> {
                int im = gt.imageIndex(img);
                if (im < 0) {
                    throw src.error("results entry [" + i + "]: image_id " + img + " is not an image of the ground truth "
                            + gt.source() + " (results must only refer to its images)");
                }
                c.add(im, gt.categoryIndex(cat), x, y, w, h, s);
            });
            return new CocoDetections(gt, in.source(), c);
        }
    }

    /**
     * Binds in-memory detections to {@code gt}, e.g. a model's post-processed outputs during validation.
     *
     * @throws IllegalArgumentException a detection on an image that is not in {@code gt}, naming its list index
     */
    public static CocoDetections of(List<DetectionResult> detections, CocoGroundTruth gt) {
        Objects.requireNonNull(gt, "gt");
        Columns c = new Columns();
        for (int i = 0; i < detections.size(); i++) {
            DetectionResult d = detections.get(i);
            int im = gt.imageIndex(d.imageId());
            if (im < 0) {
                throw new IllegalArgumentException("detections[" + i + "]: image_id " + d.imageId()
                        + " is not an image of the ground truth " + gt.source());
            }
            c.add(im, gt.categoryIndex(d.categoryId()), d.x(), d.y(), d.width(), d.height(), d.score());
        }
        return new CocoDetections(gt, "detections", c);
    }

    /** The ground truth these detections were checked against. */
    public CocoGroundTruth groundTruth() { return groundTruth; }

    /** The file name the detections came from, or {@code "detections"} for an in-memory list. */
    public String source() { return source; }

    /** Number of detections kept for evaluation. */
    public int size() { return score.length; }

    /** Detections skipped because their {@code category_id} is not a category of the ground truth. */
    public int skippedUnknownCategory() { return skippedUnknownCategory; }

    /** Growable columns; {@code category < 0} entries are counted as skipped. */
    private static final class Columns {
        int[] image = new int[1024];
        int[] category = new int[1024];
        double[] box = new double[4096];
        double[] score = new double[1024];
        int n;
        int skipped;

        void add(int im, int cat, double x, double y, double w, double h, double s) {
            if (cat < 0) {
                skipped++;
                return;
            }
            if (n == image.length) {
                int cap = 2 * n;
                image = Arrays.copyOf(image, cap);
                category = Arrays.copyOf(category, cap);
                box = Arrays.copyOf(box, 4 * cap);
                score = Arrays.copyOf(score, cap);
            }
            image[n] = im;
            category[n] = cat;
            box[4 * n] = x;
            box[4 * n + 1] = y;
            box[4 * n + 2] = w;
            box[4 * n + 3] = h;
            score[n] = s;
            n++;
        }
    }
}
