package org.detrdistill.datasets.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The immutable result of a COCO bbox evaluation: pycocotools' {@code eval['precision']} {@code [T,R,K,A,M]} and
 * {@code eval['recall']} {@code [T,K,A,M]} (-1 where a setting has no ground truth), the 12 {@link CocoStats}, the
 * summary table, per-category AP and a JSON form.
 *
 * <p>Axes: T = IoU thresholds, R = recall thresholds, K = category ids ascending ({@link #categoryIds()}), A = area
 * ranges, M = maxDets, all in {@link #params()} order (defaults T=10, R=101, A=4 all/small/medium/large, M=3 1/10/100).
 */
public final class CocoEvaluation {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CocoEvalParams params;
    private final int[] categoryIds;
    private final int imageCount;
    private final double[] precision;
    private final double[] recall;
    private final String gtSource;
    private final String resultsSource;
    private final int gtAnnotations;
    private final int detections;
    private final int gtSkipped;
    private final int detectionsSkipped;
    private final Summarizer summarizer;
    private final CocoStats stats;
    private final List<CategoryAp> perCategory;

    CocoEvaluation(CocoEvalParams params, int[] categoryIds, int imageCount, double[] precision, double[] recall,
                   String gtSource, String resultsSource, int gtAnnotations, int detections, int gtSkipped,
                   int detectionsSkipped) {
        this.params = params;
        this.categoryIds = categoryIds.clone();
        this.imageCount = imageCount;
        this.precision = precision;
        this.recall = recall;
        this.gtSource = gtSource;
        this.resultsSource = resultsSource;
        this.gtAnnotations = gtAnnotations;
        this.detections = detections;
        this.gtSkipped = gtSkipped;
        this.detectionsSkipped = detectionsSkipped;
        this.summarizer = new Summarizer(params, categoryIds.length, precision, recall);
        this.stats = summarizer.supported() ? CocoStats.of(summarizer.stats()) : null;
        List<CategoryAp> per = new ArrayList<>(categoryIds.length);
        for (int k = 0; k < categoryIds.length; k++) {
            per.add(new CategoryAp(categoryIds[k], summarizer.categoryMean(k, Double.NaN), summarizer.categoryMean(k, .5)));
        }
        this.perCategory = Collections.unmodifiableList(per);
    }

    public CocoEvalParams params() { return params; }

    /** The K axis: evaluated category ids, ascending (a copy). */
    public int[] categoryIds() { return categoryIds.clone(); }

    /** Number of evaluated images. */
    public int imageCount() { return imageCount; }

    /** Evaluated ground-truth annotations (crowd included). */
    public int groundTruthAnnotations() { return gtAnnotations; }

    /** Detections read (unknown-category ones excluded). */
    public int detections() { return detections; }

    /** Ground-truth annotations skipped for an unknown image or category id. */
    public int skippedGroundTruthAnnotations() { return gtSkipped; }

    /** Detections skipped for a category id the ground truth does not have. */
    public int skippedDetections() { return detectionsSkipped; }

    /**
     * The 12 stats.
     *
     * @throws IllegalStateException the parameters have fewer than 3 maxDets (pycocotools' summarize() needs them)
     */
    public CocoStats stats() {
        if (stats == null) summarizer.stats(); // throws with the reason
        return stats;
    }

    /** The table pycocotools' {@code summarize()} prints, 12 lines each ending in {@code \n}. */
    public String summary() { return summarizer.table(); }

    /** Per-category AP and AP50, in {@link #categoryIds()} order. */
    public List<CategoryAp> perCategory() { return perCategory; }

    /** AP @ 0.50:0.95 of one category, -1 if it has no ground truth. */
    public double categoryAp(int categoryId) { return category(categoryId).ap(); }

    /** AP @ 0.50 of one category, -1 if it has no ground truth. */
    public double categoryAp50(int categoryId) { return category(categoryId).ap50(); }

    private CategoryAp category(int categoryId) {
        for (CategoryAp c : perCategory) if (c.categoryId() == categoryId) return c;
        throw new IllegalArgumentException("category " + categoryId + " was not evaluated; evaluated: "
                + java.util.Arrays.toString(categoryIds));
    }

    /** {@code [T, R, K, A, M]}. */
    public int[] precisionShape() {
        return new int[] {params.iouThresholds().size(), params.recallThresholds().size(), categoryIds.length,
                params.areaRanges().size(), params.maxDets().size()};
    }

    /** {@code [T, K, A, M]}. */
    public int[] recallShape() {
        return new int[] {params.iouThresholds().size(), categoryIds.length, params.areaRanges().size(),
                params.maxDets().size()};
    }

    /** Interpolated precision at IoU threshold t, recall threshold r, category index k, area a, maxDets m; -1 = no GT. */
    public double precision(int t, int r, int k, int a, int m) {
        int[] s = precisionShape();
        check(new int[] {t, r, k, a, m}, s);
        return precision[(((t * s[1] + r) * s[2] + k) * s[3] + a) * s[4] + m];
    }

    /** Final recall at IoU threshold t, category index k, area a, maxDets m; -1 = no GT. */
    public double recall(int t, int k, int a, int m) {
        int[] s = recallShape();
        check(new int[] {t, k, a, m}, s);
        return recall[((t * s[1] + k) * s[2] + a) * s[3] + m];
    }

    private static void check(int[] idx, int[] shape) {
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + java.util.Arrays.toString(idx) + " outside shape "
                        + java.util.Arrays.toString(shape));
            }
        }
    }

    /** A copy of the precision array {@code [T,R,K,A,M]}, flattened in C (row-major) order. */
    public double[] precisionData() { return precision.clone(); }

    /** A copy of the recall array {@code [T,K,A,M]}, flattened in C order. */
    public double[] recallData() { return recall.clone(); }

    /** The precision array as a new DOUBLE {@code INDArray [T,R,K,A,M]} (needs an ND4J backend at run time). */
    public INDArray precisionArray() { return Nd4j.create(precision.clone(), toLong(precisionShape()), DataType.DOUBLE); }

    /** The recall array as a new DOUBLE {@code INDArray [T,K,A,M]} (needs an ND4J backend at run time). */
    public INDArray recallArray() { return Nd4j.create(recall.clone(), toLong(recallShape()), DataType.DOUBLE); }

    private static long[] toLong(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) l[i] = s[i];
        return l;
    }

    /**
     * JSON: {@code {"ground_truth", "results", "images", "annotations", "detections", "skipped": {...},
     * "stats": {"AP": ..}, "per_category": [{"category_id", "AP", "AP50"}]}} ({@code stats} only when supported).
     */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("ground_truth", gtSource);
        o.put("results", resultsSource);
        o.put("images", imageCount);
        o.put("annotations", gtAnnotations);
        o.put("detections", detections);
        ObjectNode skipped = o.putObject("skipped");
        skipped.put("ground_truth_annotations", gtSkipped);
        skipped.put("detections_unknown_category", detectionsSkipped);
        if (stats != null) o.set("stats", stats.toJsonNode());
        ArrayNode per = o.putArray("per_category");
        for (CategoryAp c : perCategory) {
            per.addObject().put("category_id", c.categoryId()).put("AP", c.ap()).put("AP50", c.ap50());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "CocoEvaluation[" + resultsSource + " vs " + gtSource + ", " + imageCount + " images, "
                + categoryIds.length + " categories" + (stats != null ? ", AP " + stats.ap() : "") + "]";
    }
}
