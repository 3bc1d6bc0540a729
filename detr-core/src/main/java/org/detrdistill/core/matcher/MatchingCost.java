package org.detrdistill.core.matcher;

import org.detrdistill.core.box.BoxOps;

/**
 * The matching cost of one image on primitive arrays: {@code C[q,j] = bboxWeight * L1 + classWeight * class +
 * giouWeight * (-GIoU)}, written row-major into {@code out[Q*n]}. Inputs are assumed validated by
 * {@link HungarianMatcher}. Arithmetic follows facebookresearch/detr and Deformable-DETR {@code models/matcher.py}.
 *
 * <p>Layouts: {@code logits[lOff + q*C + c]} ({@code [Q,C]}), {@code boxes[bOff + 4*q ..]} ({@code [Q,4]} cxcywh),
 * {@code tBoxes[4*j ..]} ({@code [n,4]} cxcywh), {@code probs[j*K + c]} ({@code [n,K]}).
 */
final class MatchingCost {
    private final MatcherConfig cfg;

    MatchingCost(MatcherConfig cfg) {
        this.cfg = cfg;
    }

    /** Cost against hard labels ({@code labels[n]}, validated to be in range for the class cost). */
    void withLabels(double[] logits, int lOff, double[] boxes, int bOff, int nq, int nc,
                    double[] tBoxes, int[] labels, double[] out) {
        int n = labels.length;
        switch (cfg.classCost()) {
            case FOCAL -> {
                for (int q = 0; q < nq; q++) {
                    int row = lOff + q * nc;
                    for (int j = 0; j < n; j++) out[q * n + j] = focal(sigmoid(logits[row + labels[j]]));
                }
            }
            case SOFTMAX -> {
                for (int q = 0; q < nq; q++) {
                    int row = lOff + q * nc;
                    double max = rowMax(logits, row, nc), inv = 1.0 / expSum(logits, row, nc, max);
                    for (int j = 0; j < n; j++) out[q * n + j] = -(Math.exp(logits[row + labels[j]] - max) * inv);
                }
            }
            case SOFT_BCE -> {
                for (int q = 0; q < nq; q++) {
                    int row = lOff + q * nc;
                    double negSum = softplusSum(logits, row, nc);
                    for (int j = 0; j < n; j++) out[q * n + j] = negSum - logits[row + labels[j]];
                }
            }
        }
        addBoxTerms(boxes, bOff, nq, tBoxes, n, out);
    }

    /**
     * Cost against soft targets {@code probs[n*K]}: {@code K == C}, or {@code K == C-1} for {@link
     * MatcherConfig.ClassCost#SOFTMAX} (no probability on the no-object column).
     */
    void withProbs(double[] logits, int lOff, double[] boxes, int bOff, int nq, int nc,
                   double[] tBoxes, double[] probs, int n, int k, double[] out) {
        double[] perClass = new double[nc];
        for (int q = 0; q < nq; q++) {
            int row = lOff + q * nc;
            double rowConst = 0;
            switch (cfg.classCost()) {
                case FOCAL -> {
                    for (int c = 0; c < nc; c++) perClass[c] = focal(sigmoid(logits[row + c]));
                }
                case SOFTMAX -> {
                    double max = rowMax(logits, row, nc), inv = 1.0 / expSum(logits, row, nc, max);
                    for (int c = 0; c < nc; c++) perClass[c] = -(Math.exp(logits[row + c] - max) * inv);
                }
                case SOFT_BCE -> {
                    // t*BCE(s,1) + (1-t)*BCE(s,0) = softplus(s) - t*s, since softplus(-s) - softplus(s) = -s
                    rowConst = softplusSum(logits, row, nc);
                    for (int c = 0; c < nc; c++) perClass[c] = -logits[row + c];
                }
            }
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int c = 0, t = j * k; c < k; c++, t++) acc += probs[t] * perClass[c];
                out[q * n + j] = rowConst + acc;
            }
        }
        addBoxTerms(boxes, bOff, nq, tBoxes, n, out);
    }

    /** {@code out = bboxWeight * L1 + classWeight * out + giouWeight * (-GIoU)}, {@code out} holding the class cost. */
    private void addBoxTerms(double[] boxes, int bOff, int nq, double[] tBoxes, int n, double[] out) {
        double[] predXyxy = new double[4 * nq], tXyxy = new double[4 * n], giou = new double[nq * n];
        System.arraycopy(boxes, bOff, predXyxy, 0, 4 * nq);
        BoxOps.cxcywhToXyxy(predXyxy, predXyxy, nq);
        BoxOps.cxcywhToXyxy(tBoxes, tXyxy, n);
        BoxOps.pairwiseGiou(predXyxy, nq, tXyxy, n, giou);
        double wb = cfg.bboxWeight(), wc = cfg.classWeight(), wg = cfg.giouWeight();
        for (int q = 0; q < nq; q++) {
            int p = bOff + 4 * q;
            double cx = boxes[p], cy = boxes[p + 1], w = boxes[p + 2], h = boxes[p + 3];
            for (int j = 0, t = 0; j < n; j++, t += 4) {
                double l1 = Math.abs(cx - tBoxes[t]) + Math.abs(cy - tBoxes[t + 1])
                        + Math.abs(w - tBoxes[t + 2]) + Math.abs(h - tBoxes[t + 3]);
                int o = q * n + j;
                out[o] = wb * l1 + wc * out[o] + wg * -giou[o];
            }
        }
    }

    /** Focal cost at probability {@code p}: positive term minus negative term. */
    private double focal(double p) {
        double a = cfg.focalAlpha(), g = cfg.focalGamma(), eps = cfg.focalEps();
        double neg = (1 - a) * pow(p, g) * -Math.log(1 - p + eps);
        double pos = a * pow(1 - p, g) * -Math.log(p + eps);
        return pos - neg;
    }

    private static double pow(double x, double g) {
        return g == 2 ? x * x : Math.pow(x, g);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double rowMax(double[] a, int off, int len) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) m = Math.max(m, a[i]);
        return m;
    }

    private static double expSum(double[] a, int off, int len, double max) {
        double s = 0;
        for (int i = off; i < off + len; i++) s += Math.exp(a[i] - max);
        return s;
    }

    /** {@code sum_c softplus(a[c]) = sum_c BCE(a[c], 0)}, computed stably. */
    private static double softplusSum(double[] a, int off, int len) {
        double s = 0;
        for (int i = off; i < off + len; i++) s += Math.max(a[i], 0) + Math.log1p(Math.exp(-Math.abs(a[i])));
        return s;
    }
}
