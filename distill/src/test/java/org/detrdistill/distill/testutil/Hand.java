package org.detrdistill.distill.testutil;

/**
 * The loss formulas of METHOD written out in plain Java, one scalar at a time, for hand-computed expectations in the
 * distillation tests (no ND4J, no shared code with the graph implementation).
 */
public final class Hand {
    private Hand() {}

    public static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Binary cross-entropy with logits against a soft target {@code t}: {@code −t·log σ(x) − (1−t)·log(1−σ(x))}. */
    public static double bce(double x, double t) {
        double p = sigmoid(x);
        return -t * Math.log(p) - (1 - t) * Math.log(1 - p);
    }

    /** Sigmoid focal loss of one logit against a 0/1 target (α 0.25, γ 2). */
    public static double focal(double x, double t) {
        double p = sigmoid(x);
        double pt = p * t + (1 - p) * (1 - t);
        double alpha = t * 0.25 + (1 - t) * 0.75;
        return alpha * Math.pow(1 - pt, 2) * bce(x, t);
    }

    /** {@code Σ_k |a_k − b_k|} of two cxcywh boxes. */
    public static double l1(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < 4; k++) s += Math.abs(a[k] - b[k]);
        return s;
    }

    /** Generalised IoU of two cxcywh boxes. */
    public static double giou(double[] a, double[] b) {
        double ax0 = a[0] - a[2] / 2, ay0 = a[1] - a[3] / 2, ax1 = a[0] + a[2] / 2, ay1 = a[1] + a[3] / 2;
        double bx0 = b[0] - b[2] / 2, by0 = b[1] - b[3] / 2, bx1 = b[0] + b[2] / 2, by1 = b[1] + b[3] / 2;
        double iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
        double ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
        double inter = iw * ih;
        double union = a[2] * a[3] + b[2] * b[3] - inter;
        double enclose = (Math.max(ax1, bx1) - Math.min(ax0, bx0)) * (Math.max(ay1, by1) - Math.min(ay0, by0));
        return inter / union - (enclose - union) / enclose;
    }
}
