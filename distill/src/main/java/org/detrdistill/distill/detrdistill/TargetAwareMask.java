package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.box.HostArrays;
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;

/**
 * The target-aware mask ψ of DETRDistill (METHOD §2b, steps 3–4), computed on the host from the teacher's outputs
 * and the ground truth only (it carries no gradient):
 * <pre>
 *   ψ_b(x,y) = clamp(Σ_i t_i ⟨q̂_i, f̂_b(x,y)⟩, min 0.01) / max_(x,y) clamp(...)      per image b, level l, stage k
 * </pre>
 * with {@code q̂_i} the L2-normalised teacher hidden state of the i-th selected (query, class) pair and
 * {@code f̂_b(x,y)} the L2-normalised teacher feature at a location (normalisation as {@code F.normalize}:
 * {@code x / max(‖x‖, 1e-12)}).
 *
 * <p>The sum is linear in {@code f̂}, so it is computed as {@code ⟨v_b, f̂_b(x,y)⟩} with the stage's query vector
 * {@code v_b = Σ_i t_i q̂_i} ({@link #queryVectors}); all stages of a level are one matrix product per image
 * ({@link #psi}). {@link TargetAwareMaskReference} evaluates the sum term by term, as the official code does.
 * Padding locations are included in the max, as in the official code.
 */
public final class TargetAwareMask {
    /** The clamp floor of ψ before the per-image normalisation. */
    public static final double FLOOR = 0.01;
    /** The norm floor of {@code F.normalize}. */
    public static final double NORM_EPS = 1e-12;

    private TargetAwareMask() {}

    /**
     * The query vectors {@code v_b = Σ_i t_i q̂_i} of one teacher stage.
     *
     * @param logits  {@code [B,Q,C]} teacher class logits of the stage
     * @param boxes   {@code [B,Q,4]} teacher boxes of the stage, cxcywh normalised
     * @param hidden  {@code [B,Q,d]} teacher hidden states of the stage
     * @param targets {@code B} ground truths (boxes cxcywh normalised)
     * @param topK    selected (query, class) pairs per image (100 in DETRDistill)
     * @return {@code [B,d]} DOUBLE
     */
    public static INDArray queryVectors(INDArray logits, INDArray boxes, INDArray hidden, List<ImageTarget> targets,
                                        int topK) {
        HostArrays.requireShape("teacher logits", logits, targets.size(), -1, -1);
        HostArrays.requireShape("teacher boxes", boxes, targets.size(), logits.size(1), 4);
        HostArrays.requireShape("teacher hidden", hidden, targets.size(), logits.size(1), -1);
        int b = targets.size(), q = (int) hidden.size(1), d = (int) hidden.size(2);
        double[] h = HostArrays.toDoubles(hidden);
        double[] v = new double[b * d];
        for (int img = 0; img < b; img++) {
            TeacherQueryQuality.Selection s = TeacherQueryQuality.select(slice(logits, img), slice(boxes, img),
                    targets.get(img).boxes(), topK);
            for (int i = 0; i < s.size(); i++) {
                int off = (img * q + s.queries()[i]) * d;
                double norm = 0;
                for (int c = 0; c < d; c++) norm += h[off + c] * h[off + c];
                double w = s.quality()[i] / Math.max(Math.sqrt(norm), NORM_EPS);
                for (int c = 0; c < d; c++) v[img * d + c] += w * h[off + c];
            }
        }
        return Nd4j.create(v, new long[]{b, d}, 'c');
    }

    /**
     * ψ of every stage at every level.
     *
     * @param features {@code N_l} teacher features {@code [B,d,H_l,W_l]}
     * @param vectors  {@code S} query vectors {@code [B,d]} (one per teacher stage, from {@link #queryVectors})
     * @return {@code [S][N_l]} masks {@code [B,1,H_l,W_l]} DOUBLE, each image's maximum 1, minimum ≥ 0.01 / max
     */
    public static List<List<INDArray>> psi(List<INDArray> features, List<INDArray> vectors) {
        int stages = vectors.size();
        List<List<INDArray>> out = new ArrayList<>();
        for (int k = 0; k < stages; k++) out.add(new ArrayList<>());
        for (int l = 0; l < features.size(); l++) {
            INDArray f = features.get(l);
            HostArrays.requireShape("teacher feature_" + l, f, -1, -1, -1, -1);
            long b = f.size(0), d = f.size(1), h = f.size(2), w = f.size(3);
            INDArray v = Nd4j.create(DataType.DOUBLE, b, d, stages);   // [B,d,S]
            for (int k = 0; k < stages; k++) {
                HostArrays.requireShape("query vectors of stage " + k, vectors.get(k), b, d);
                v.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k)).assign(vectors.get(k));
            }
            INDArray flat = f.castTo(DataType.DOUBLE).reshape('c', b, d, h * w);
            List<INDArray> perStage = new ArrayList<>();
            for (int k = 0; k < stages; k++) perStage.add(Nd4j.create(DataType.DOUBLE, b, 1, h, w));
            for (int img = 0; img < b; img++) {
                INDArray fb = flat.get(NDArrayIndex.point(img), NDArrayIndex.all(), NDArrayIndex.all()); // [d,HW]
                INDArray norms = Transforms.max(fb.norm2(0), NORM_EPS).reshape(h * w, 1);              // [HW,1]
                INDArray vb = v.get(NDArrayIndex.point(img), NDArrayIndex.all(), NDArrayIndex.all());    // [d,S]
                INDArray raw = fb.transpose().mmul(vb).diviColumnVector(norms);                          // [HW,S]
                raw = Transforms.max(raw, FLOOR, false);
                raw.diviRowVector(raw.max(0).reshape(1, stages));
                for (int k = 0; k < stages; k++) {
                    perStage.get(k).get(NDArrayIndex.point(img), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all())
                            .assign(raw.getColumn(k).reshape('c', h, w));
                }
            }
            for (int k = 0; k < stages; k++) out.get(k).add(perStage.get(k));
        }
        return out;
    }

    private static INDArray slice(INDArray a, int img) {
        return a.get(NDArrayIndex.point(img), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
