package org.detrdistill.core.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain-Java (double precision, loop-based) reference of {@link SetCriterion}: the same terms from the same
 * {@link EncodedTargets}, without SameDiff. Used to test the graph and to compute losses for logging or debugging.
 */
public final class SetCriterionReference {
    private final CriterionConfig config;

    public SetCriterionReference(CriterionConfig config) {
        this.config = config;
    }

    /**
     * The predictions of one stage as arrays.
     *
     * @param name   stage name ({@code final}, {@code aux_<i>}, ...)
     * @param logits {@code [B,Q,K]}
     * @param boxes  {@code [B,Q,4]} cxcywh
     */
    public record StageArrays(String name, INDArray logits, INDArray boxes) {
    }

    /**
     * All terms and their weighted sum.
     *
     * @param stages   predictions per stage
     * @param byStage  encoded targets per stage name
     * @param numBoxes normaliser
     * @return term name ({@code loss_ce}, {@code loss_bbox_0}, ...) -> unweighted value, plus {@code loss_total}
     */
    public Map<String, Double> losses(List<StageArrays> stages, Map<String, EncodedTargets> byStage, double numBoxes) {
        Map<String, Double> out = new LinkedHashMap<>();
        double total = 0;
        for (StageArrays s : stages) {
            String suffix = Stage.suffixOf(s.name());
            EncodedTargets t = byStage.get(s.name());
            if (t == null) {
                throw new IllegalArgumentException("no encoded targets for stage " + s.name());
            }
            Double w = config.weightOf(CriterionConfig.LOSS_CE, suffix);
            if (w != null) {
                double v = config.classLoss() == ClassLoss.SIGMOID_FOCAL ? focal(s.logits(), t, numBoxes) : softmaxCe(s.logits(), t);
                out.put(CriterionConfig.LOSS_CE + suffix, v);
                total += w * v;
            }
            w = config.weightOf(CriterionConfig.LOSS_BBOX, suffix);
            if (w != null) {
                double v = boxTerm(s.boxes(), t, numBoxes, false);
                out.put(CriterionConfig.LOSS_BBOX + suffix, v);
                total += w * v;
            }
            w = config.weightOf(CriterionConfig.LOSS_GIOU, suffix);
            if (w != null) {
                double v = boxTerm(s.boxes(), t, numBoxes, true);
                out.put(CriterionConfig.LOSS_GIOU + suffix, v);
                total += w * v;
            }
        }
        out.put("loss_total", total);
        return out;
    }

    private double focal(INDArray logits, EncodedTargets t, double numBoxes) {
        long b = logits.size(0), q = logits.size(1), c = logits.size(2);
        double alpha = config.focalAlpha(), gamma = config.focalGamma();
        double sum = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < q; j++) {
                double row = 0;
                for (int k = 0; k < c; k++) {
                    double x = logits.getDouble(i, j, k);
                    double y = t.classTarget().getDouble(i, j, k);
                    double p = 1 / (1 + Math.exp(-x));
                    double ce = Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
                    double pt = p * y + (1 - p) * (1 - y);
                    double l = ce * Math.pow(1 - pt, gamma);
                    if (alpha >= 0) {
                        l *= alpha * y + (1 - alpha) * (1 - y);
                    }
                    row += l;
                }
                sum += row * t.queryWeight().getDouble(i, j);
            }
        }
        return sum / numBoxes;
    }

    private double softmaxCe(INDArray logits, EncodedTargets t) {
        long b = logits.size(0), q = logits.size(1), c = logits.size(2);
        double num = 0, den = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < q; j++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) max = Math.max(max, logits.getDouble(i, j, k));
                double se = 0;
                for (int k = 0; k < c; k++) se += Math.exp(logits.getDouble(i, j, k) - max);
                double lse = max + Math.log(se);
                double nll = 0, w = 0;
                for (int k = 0; k < c; k++) {
                    double y = t.classTarget().getDouble(i, j, k);
                    nll -= y * (logits.getDouble(i, j, k) - lse);
                    w += y * (k == c - 1 ? config.eosCoef() : 1.0);
                }
                w *= t.queryWeight().getDouble(i, j);
                num += w * nll;
                den += w;
            }
        }
        return num / den;
    }

    private static double boxTerm(INDArray boxes, EncodedTargets t, double numBoxes, boolean giou) {
        long q = boxes.size(1);
        double sum = 0;
        for (int m = 0; m < t.srcIndex().length(); m++) {
            long flat = t.srcIndex().getLong(m);
            int bi = (int) (flat / q), qi = (int) (flat % q);
            double[] s = new double[4], g = new double[4];
            for (int k = 0; k < 4; k++) {
                s[k] = boxes.getDouble(bi, qi, k);
                g[k] = t.targetBoxes().getDouble(m, k);
            }
            double v;
            if (giou) {
                v = 1 - giou(s, g);
            } else {
                v = 0;
                for (int k = 0; k < 4; k++) v += Math.abs(s[k] - g[k]);
            }
            sum += t.boxWeight().getDouble(m) * v;
        }
        return sum / numBoxes;
    }

    /** GIoU of two cxcywh boxes (detr util/box_ops.py formulas). */
    static double giou(double[] a, double[] b) {
        double ax0 = a[0] - 0.5 * a[2], ay0 = a[1] - 0.5 * a[3], ax1 = a[0] + 0.5 * a[2], ay1 = a[1] + 0.5 * a[3];
        double bx0 = b[0] - 0.5 * b[2], by0 = b[1] - 0.5 * b[3], bx1 = b[0] + 0.5 * b[2], by1 = b[1] + 0.5 * b[3];
        double area1 = (ax1 - ax0) * (ay1 - ay0), area2 = (bx1 - bx0) * (by1 - by0);
        double iw = Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
        double ih = Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0);
        double inter = iw * ih;
        double union = area1 + area2 - inter;
        double iou = inter / union;
        double ew = Math.max(Math.max(ax1, bx1) - Math.min(ax0, bx0), 0);
        double eh = Math.max(Math.max(ay1, by1) - Math.min(ay0, by0), 0);
        double encl = ew * eh;
        return iou - (encl - union) / encl;
    }
}
