package org.detrdistill.datasets.eval;

import java.util.Arrays;

/**
 * Matches the detections of one image and one category to its ground truth, for every area range and IoU threshold,
 * exactly as pycocotools' {@code COCOeval.computeIoU} + {@code evaluateImg}; scratch buffers are reused across calls.
 *
 * <p>Per area range a: a GT is ignored if it is a crowd or its {@code area} field is outside the range; the GTs are
 * stably reordered non-ignored first. Per threshold t, detections are taken in score order (highest first, ties in
 * file order) and each takes the GT with the highest IoU {@code >= min(t, 1-1e-10)} among the GTs still free (a crowd
 * GT is never used up), where a later GT wins a tie and, once a non-ignored GT is matched, the ignored GTs behind it
 * are not looked at. A detection matched to an ignored GT is ignored; an unmatched detection whose own area
 * ({@code w*h}) is outside the range is ignored; any other unmatched detection is a false positive.
 *
 * <p>IoU between boxes [x,y,w,h] is {@code inter / (dtArea + gtArea - inter)}, and {@code inter / dtArea} for a crowd GT,
 * with the same floating-point operations as maskApi.c's {@code bbIou}.
 *
 * <p>Quirk kept for parity: pycocotools records a match by the GT's annotation id and tests it for non-zero later,
 * so a detection matched to a non-ignored GT whose id is 0 counts as unmatched (a false positive, or ignored if its
 * area is outside the range), while that GT is still used up. COCO's own ids start at 1, where this never happens.
 */
final class ImageMatcher {
    static final byte FALSE_POSITIVE = 0;
    static final byte TRUE_POSITIVE = 1;
    static final byte IGNORED = 2;

    private final double[] iouThr;
    private final double[] areaMin;
    private final double[] areaMax;
    private double[] iou = new double[256];
    private int[] order = new int[16];
    private boolean[] ignoredSorted = new boolean[16];
    private boolean[] used = new boolean[16];

    ImageMatcher(double[] iouThresholds, AreaRange[] areas) {
        this.iouThr = iouThresholds.clone();
        this.areaMin = new double[areas.length];
        this.areaMax = new double[areas.length];
        for (int a = 0; a < areas.length; a++) {
            areaMin[a] = areas[a].min();
            areaMax[a] = areas[a].max();
        }
    }

    /**
     * Evaluates one (image, category).
     *
     * @param gt       ground truth
     * @param gtIdx    annotation indices; this image's are {@code gtIdx[gs, ge)}, in file order
     * @param dt       detections
     * @param dtIdx    detection indices; this image's evaluated ones are {@code dtIdx[ds, de)}, best score first
     * @param dtPos    for each {@code dtIdx} entry, the position its states are written at
     * @param states   output {@code [A][T][n]} flattened: state of detection at position p for (a, t) is at
     *                 {@code (a*T + t)*n + p}; one of {@link #TRUE_POSITIVE}, {@link #FALSE_POSITIVE}, {@link #IGNORED}
     * @param n        positions per (a, t) row of {@code states}
     * @param npig     per area range, incremented by this image's number of non-ignored GTs
     */
    void match(CocoGroundTruth gt, int[] gtIdx, int gs, int ge, CocoDetections dt, int[] dtIdx, int ds, int de,
               int[] dtPos, byte[] states, int n, long[] npig) {
        int g = ge - gs, d = de - ds, nT = iouThr.length;
        ensure(g, d);
        computeIou(gt, gtIdx, gs, g, dt, dtIdx, ds, d);
        for (int a = 0; a < areaMin.length; a++) {
            // ignore flags, and the stable order non-ignored first
            int k = 0;
            for (int j = 0; j < g; j++) if (!ignoredGt(gt, gtIdx[gs + j], a)) order[k++] = j;
            int kept = k;
            for (int j = 0; j < g; j++) if (ignoredGt(gt, gtIdx[gs + j], a)) order[k++] = j;
            for (int j = 0; j < g; j++) ignoredSorted[j] = j >= kept;
            npig[a] += kept;
            for (int t = 0; t < nT; t++) {
                Arrays.fill(used, 0, g, false);
                int row = (a * nT + t) * n;
                double thr = Math.min(iouThr[t], 1 - 1e-10);
                for (int i = 0; i < d; i++) {
                    double best = thr;
                    int m = -1;
                    int rowIou = i * g;
                    for (int j = 0; j < g; j++) {
                        int gj = order[j];
                        if (used[j] && !gt.annCrowd[gtIdx[gs + gj]]) continue;
                        if (m > -1 && !ignoredSorted[m] && ignoredSorted[j]) break;
                        double v = iou[rowIou + gj];
                        if (v < best) continue;
                        best = v;
                        m = j;
                    }
                    byte s;
                    if (m >= 0) {
                        used[m] = true;
                        if (ignoredSorted[m]) s = IGNORED;
                        else if (gt.annId[gtIdx[gs + order[m]]] != 0) s = TRUE_POSITIVE;
                        else s = dtOutside(dt, dtIdx[ds + i], a) ? IGNORED : FALSE_POSITIVE;
                    } else {
                        s = dtOutside(dt, dtIdx[ds + i], a) ? IGNORED : FALSE_POSITIVE;
                    }
                    states[row + dtPos[ds + i]] = s;
                }
            }
        }
    }

    private boolean ignoredGt(CocoGroundTruth gt, int ann, int a) {
        double area = gt.annArea[ann];
        return gt.annCrowd[ann] || area < areaMin[a] || area > areaMax[a];
    }

    private boolean dtOutside(CocoDetections dt, int det, int a) {
        double area = dt.box[4 * det + 2] * dt.box[4 * det + 3];
        return area < areaMin[a] || area > areaMax[a];
    }

    /** {@code iou[i*g + j]}: detection i (score order) vs GT j (file order), 0 where the boxes do not overlap. */
    private void computeIou(CocoGroundTruth gt, int[] gtIdx, int gs, int g, CocoDetections dt, int[] dtIdx, int ds, int d) {
        double[] gb = gt.annBox, db = dt.box;
        for (int j = 0; j < g; j++) {
            int ga = gtIdx[gs + j];
            double gx = gb[4 * ga], gy = gb[4 * ga + 1], gw = gb[4 * ga + 2], gh = gb[4 * ga + 3];
            double gArea = gw * gh;
            boolean crowd = gt.annCrowd[ga];
            for (int i = 0; i < d; i++) {
                int da = dtIdx[ds + i];
                double dx = db[4 * da], dy = db[4 * da + 1], dw = db[4 * da + 2], dh = db[4 * da + 3];
                double dArea = dw * dh;
                double v = 0;
                double w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
                if (w > 0) {
                    double h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
                    if (h > 0) {
                        double inter = w * h;
                        double union = crowd ? dArea : dArea + gArea - inter;
                        v = inter / union;
                    }
                }
                iou[i * g + j] = v;
            }
        }
    }

    private void ensure(int g, int d) {
        if ((long) g * d > iou.length) iou = new double[Math.max(2 * iou.length, Math.multiplyExact(g, d))];
        if (g > order.length) {
            int cap = Math.max(2 * order.length, g);
            order = new int[cap];
            ignoredSorted = new boolean[cap];
            used = new boolean[cap];
        }
    }
}
