package org.detrdistill.datasets.eval;

import java.util.List;

/**
 * pycocotools' {@code summarize()} for bbox: the 12 stats and their text table, computed from the accumulated
 * precision {@code [T,R,K,A,M]} and recall {@code [T,K,A,M]} arrays (flat, C order).
 *
 * <p>Each value is {@code np.mean} of the selected entries that are not -1, in C order, or -1 if there are none. The
 * settings look up the area range by label ("all", "small", "medium", "large"), maxDets by value and the IoU threshold
 * by exact equality (0.5, 0.75), like pycocotools: a setting whose label or value is absent is -1. The first stat
 * uses maxDets = 100 literally, the others maxDets[0..2].
 */
final class Summarizer {
    private final double[] iou;
    private final int[] maxDets;
    private final List<AreaRange> areas;
    private final int nT, nR, nK, nA, nM;
    private final double[] precision;
    private final double[] recall;

    Summarizer(CocoEvalParams p, int nK, double[] precision, double[] recall) {
        this.iou = p.iouArray();
        this.maxDets = p.maxDetsArray();
        this.areas = p.areaRanges();
        this.nT = iou.length;
        this.nR = p.recallThresholds().size();
        this.nK = nK;
        this.nA = areas.size();
        this.nM = maxDets.length;
        this.precision = precision;
        this.recall = recall;
    }

    /** Whether the parameters have the 3 maxDets pycocotools' summary indexes. */
    boolean supported() { return nM >= 3; }

    /** The 12 stats, in pycocotools' order. */
    double[] stats() {
        requireSupported();
        double[] s = new double[12];
        for (int i = 0; i < 12; i++) s[i] = value(i);
        return s;
    }

    /** The 12-line table printed by pycocotools' summarize(), each line ending with a newline. */
    String table() {
        requireSupported();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            boolean ap = i < 6;
            Double thr = i == 1 ? Double.valueOf(.5) : i == 2 ? Double.valueOf(.75) : null;
            String iouStr = thr == null ? NumpyCompat.fixed(iou[0], 2) + ":" + NumpyCompat.fixed(iou[nT - 1], 2)
                    : NumpyCompat.fixed(thr, 2);
            sb.append(String.format(java.util.Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %s\n",
                    ap ? "Average Precision" : "Average Recall", ap ? "(AP)" : "(AR)", iouStr, area(i), maxDet(i),
                    NumpyCompat.fixed(value(i), 3)));
        }
        return sb.toString();
    }

    private void requireSupported() {
        if (!supported()) {
            throw new IllegalStateException("the COCO stats and summary follow pycocotools' summarize(), which needs at "
                    + "least 3 maxDets; these parameters have " + nM + ": use precision()/recall() instead");
        }
    }

    private static String area(int i) {
        return switch (i) {
            case 3, 9 -> "small";
            case 4, 10 -> "medium";
            case 5, 11 -> "large";
            default -> "all";
        };
    }

    private int maxDet(int i) {
        return switch (i) {
            case 0 -> 100;
            case 6 -> maxDets[0];
            case 7 -> maxDets[1];
            default -> maxDets[2];
        };
    }

    private double value(int i) {
        boolean ap = i < 6;
        double thr = i == 1 ? .5 : i == 2 ? .75 : Double.NaN;
        return mean(ap, thr, area(i), maxDet(i));
    }

    /**
     * Mean of the non -1 entries of one setting.
     *
     * @param thr an IoU threshold to select by equality, or NaN for all thresholds
     */
    double mean(boolean ap, double thr, String areaLabel, int maxDet) {
        int a = -1, m = -1;
        for (int i = 0; i < nA; i++) if (areas.get(i).label().equals(areaLabel)) a = i;
        for (int i = 0; i < nM; i++) if (maxDets[i] == maxDet) m = i;
        if (a < 0 || m < 0) return -1;
        double[] buf = new double[ap ? nT * nR * nK : nT * nK];
        int n = 0;
        for (int t = 0; t < nT; t++) {
            if (!Double.isNaN(thr) && iou[t] != thr) continue;
            if (ap) {
                for (int r = 0; r < nR; r++) {
                    for (int k = 0; k < nK; k++) {
                        double v = precision[(((t * nR + r) * nK + k) * nA + a) * nM + m];
                        if (v > -1) buf[n++] = v;
                    }
                }
            } else {
                for (int k = 0; k < nK; k++) {
                    double v = recall[((t * nK + k) * nA + a) * nM + m];
                    if (v > -1) buf[n++] = v;
                }
            }
        }
        return n == 0 ? -1 : NumpyCompat.mean(buf, n);
    }

    /** Per-category AP over all thresholds (or the one equal to {@code thr}), first area range, last maxDets. */
    double categoryMean(int k, double thr) {
        double[] buf = new double[nT * nR];
        int n = 0;
        for (int t = 0; t < nT; t++) {
            if (!Double.isNaN(thr) && iou[t] != thr) continue;
            for (int r = 0; r < nR; r++) {
                double v = precision[(((t * nR + r) * nK + k) * nA) * nM + nM - 1];
                if (v > -1) buf[n++] = v;
            }
        }
        return n == 0 ? -1 : NumpyCompat.mean(buf, n);
    }
}
