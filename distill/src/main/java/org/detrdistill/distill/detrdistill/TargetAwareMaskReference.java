package org.detrdistill.distill.detrdistill;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Plain-Java reference of the target-aware mask ψ and of the feature-distillation loss, written term by term as the
 * official DETRDistill code computes them ({@code einsum('bnc,bchw->bnhw')} of normalised queries and features, then
 * {@code einsum('bnhw,bn->bhw')} with the qualities, clamp, per-image max). Slow (O(K·d·H·W) per image): for tests
 * against {@link TargetAwareMask} and {@link TargetAwareFeatureDistillation}.
 */
public final class TargetAwareMaskReference {
    private TargetAwareMaskReference() {}

    /**
     * ψ of one stage at one level.
     *
     * @param feature    {@code [B,d,H,W]} teacher feature
     * @param hidden     {@code [B,Q,d]} teacher hidden states of the stage
     * @param selections per image, the selected pairs and qualities ({@link TeacherQueryQuality#select})
     * @return {@code [B][H][W]}
     */
    public static double[][][] psi(INDArray feature, INDArray hidden, List<TeacherQueryQuality.Selection> selections) {
        int b = (int) feature.size(0), d = (int) feature.size(1), h = (int) feature.size(2), w = (int) feature.size(3);
        double[][][] out = new double[b][h][w];
        for (int img = 0; img < b; img++) {
            TeacherQueryQuality.Selection s = selections.get(img);
            double max = Double.NEGATIVE_INFINITY;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double fn = 0;
                    for (int c = 0; c < d; c++) fn += sq(feature.getDouble(img, c, y, x));
                    fn = Math.max(Math.sqrt(fn), TargetAwareMask.NORM_EPS);
                    double sum = 0;
                    for (int i = 0; i < s.size(); i++) {
                        int q = s.queries()[i];
                        double qn = 0, dot = 0;
                        for (int c = 0; c < d; c++) {
                            double qc = hidden.getDouble(img, q, c);
                            qn += qc * qc;
                            dot += qc * feature.getDouble(img, c, y, x);
                        }
                        sum += s.quality()[i] * dot / (Math.max(Math.sqrt(qn), TargetAwareMask.NORM_EPS) * fn);
                    }
                    out[img][y][x] = Math.max(sum, TargetAwareMask.FLOOR);
                    max = Math.max(max, out[img][y][x]);
                }
            }
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) out[img][y][x] /= max;
        }
        return out;
    }

    /**
     * The loss of one stage: {@code Σ_l mean((ψ_l ⊙ F^T_l − ψ_l ⊙ A_l)²)}, the mean over {@code B·d_T·H_l·W_l}.
     *
     * @param psi      per level {@code [B][H][W]}
     * @param teacher  per level {@code [B,d_T,H,W]}
     * @param student  per level the (adapted) student feature {@code [B,d_T,H,W]}
     */
    public static double stageLoss(List<double[][][]> psi, List<INDArray> teacher, List<INDArray> student) {
        double total = 0;
        for (int l = 0; l < psi.size(); l++) {
            INDArray t = teacher.get(l), s = student.get(l);
            long b = t.size(0), d = t.size(1), h = t.size(2), w = t.size(3);
            double sum = 0;
            for (int img = 0; img < b; img++) {
                for (int c = 0; c < d; c++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            double m = psi.get(l)[img][y][x];
                            sum += sq(m * t.getDouble(img, c, y, x) - m * s.getDouble(img, c, y, x));
                        }
                    }
                }
            }
            total += sum / (b * d * h * w);
        }
        return total;
    }

    private static double sq(double x) { return x * x; }
}
