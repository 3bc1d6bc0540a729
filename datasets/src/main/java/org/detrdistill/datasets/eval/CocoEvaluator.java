package org.detrdistill.datasets.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * COCO bbox evaluation equal to pycocotools' {@code COCOeval(gt, dt, 'bbox')} followed by {@code evaluate()},
 * {@code accumulate()} and {@code summarize()}: the same matching (crowd regions, area ranges, maxDets), the same
 * 101-point interpolated precision and the same floating-point operations, so the 12 stats and the precision/recall
 * arrays agree with pycocotools to the last bit on the reference fixtures.
 *
 * <pre>{@code
 * CocoGroundTruth gt = CocoGroundTruth.read(Path.of("instances_val2017.json"));
 * CocoDetections dt = CocoDetections.read(Path.of("detections.json"), gt);   // or CocoDetections.of(list, gt)
 * CocoEvaluation ev = new CocoEvaluator().evaluate(gt, dt);
 * System.out.print(ev.summary());   // pycocotools' 12-line table
 * double ap = ev.stats().ap();
 * }</pre>
 *
 * <p>Input handling (see {@link CocoGroundTruth} and {@link CocoDetections} for details): results on images unknown to
 * the ground truth fail with the file and entry named; results of unknown categories, and ground-truth annotations of
 * unknown images or categories, are counted and skipped. The evaluator is stateless apart from its parameters and
 * may be shared; one evaluation runs on the calling thread.
 */
public final class CocoEvaluator {
    private final CocoEvalParams params;

    /** An evaluator with pycocotools' default bbox parameters. */
    public CocoEvaluator() { this(CocoEvalParams.defaults()); }

    public CocoEvaluator(CocoEvalParams params) { this.params = Objects.requireNonNull(params, "params"); }

    public CocoEvalParams params() { return params; }

    /** Reads both files and evaluates: {@code gtFile} a COCO instances JSON, {@code resultsFile} a COCO results JSON. */
    public CocoEvaluation evaluate(Path gtFile, Path resultsFile) throws IOException {
        CocoGroundTruth gt = CocoGroundTruth.read(gtFile);
        return evaluate(gt, CocoDetections.read(resultsFile, gt));
    }

    /**
     * Evaluates {@code dt} against {@code gt} (per-image matching and accumulation).
     *
     * @throws IllegalArgumentException {@code dt} was bound to a different ground truth
     */
    public CocoEvaluation evaluate(CocoGroundTruth gt, CocoDetections dt) {
        if (dt.groundTruth() != gt) {
            throw new IllegalArgumentException("detections " + dt.source() + " were read against ground truth "
                    + dt.groundTruth().source() + ", not against " + gt.source());
        }
        double[] iou = params.iouArray();
        double[] rec = params.recallArray();
        int[] maxDets = params.maxDetsArray();
        AreaRange[] areas = params.areaRanges().toArray(new AreaRange[0]);
        int[] catIds = params.categoryIds().isEmpty() ? gt.categoryIds()
                : Grouping.sortedUnique(params.categoryIds().stream().mapToInt(Integer::intValue).toArray());
        boolean[] selected = null;
        int nImages = gt.imageCount();
        if (!params.imageIds().isEmpty()) {
            selected = new boolean[gt.imageCount()];
            nImages = 0;
            for (long id : params.imageIds()) {
                int i = gt.imageIndex(id);
                if (i >= 0 && !selected[i]) {
                    selected[i] = true;
                    nImages++;
                }
            }
        }
        int nT = iou.length, nR = rec.length, nK = catIds.length, nA = areas.length, nM = maxDets.length;
        double[] precision = new double[nT * nR * nK * nA * nM];
        double[] recall = new double[nT * nK * nA * nM];
        Arrays.fill(precision, -1);
        Arrays.fill(recall, -1);
        CategoryEvaluator ce = new CategoryEvaluator(iou, rec, maxDets, areas, selected);
        for (int k = 0; k < nK; k++) {
            int ci = gt.categoryIndex(catIds[k]);
            if (ci >= 0) ce.evaluate(gt, dt, ci, k, nK, precision, recall);
        }
        return new CocoEvaluation(params, catIds, nImages, precision, recall, gt.source(), dt.source(),
                gt.annotationCount(), dt.size(), gt.skippedUnknownImage() + gt.skippedUnknownCategory(),
                dt.skippedUnknownCategory());
    }
}
