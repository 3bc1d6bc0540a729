package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.box.BoxOps;
import org.detrdistill.core.box.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.PriorityQueue;

/**
 * Step 1–2 of DETRDistill's target-aware feature distillation (METHOD §2b), on the host for one image and one teacher
 * stage: the top-K (query, class) pairs by teacher sigmoid score, each with its quality
 * {@code t_i = score_i · max_j IoU(teacher box of query_i, GT box j)}, or {@code t_i = score_i} when the image has no
 * ground truth (as the official {@code simple_test_teacher_distill}). A query may appear several times (with several
 * classes); each occurrence counts.
 *
 * <p>Order: by score descending, ties by flat index {@code q·C + c} ascending. IoU is computed on the normalised
 * cxcywh boxes (IoU is invariant to the per-axis image scaling the reference applies); a NaN IoU (two zero-area boxes)
 * counts as 0.
 */
public final class TeacherQueryQuality {
    private TeacherQueryQuality() {}

    /**
     * The selected pairs of one image.
     *
     * @param queries {@code [K]} query index of each pair
     * @param classes {@code [K]} class index of each pair
     * @param scores  {@code [K]} sigmoid score of each pair
     * @param quality {@code [K]} quality {@code t_i}
     */
    public record Selection(int[] queries, int[] classes, double[] scores, double[] quality) {
        /** Number of selected pairs {@code K = min(topK, Q·C)}. */
        public int size() { return queries.length; }
    }

    /**
     * @param logits   {@code [Q,C]} teacher class logits of the image
     * @param boxes    {@code [Q,4]} teacher boxes, cxcywh normalised
     * @param gtBoxes  {@code [n,4]} ground-truth boxes, cxcywh normalised ({@code n} may be 0)
     * @param topK     number of pairs to keep (100 in DETRDistill); fewer when {@code Q·C < topK}
     * @throws IllegalArgumentException on bad shapes, {@code topK < 1} or non-finite logits
     */
    public static Selection select(INDArray logits, INDArray boxes, INDArray gtBoxes, int topK) {
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        HostArrays.requireShape("teacher logits", logits, -1, -1);
        int q = (int) logits.size(0), c = (int) logits.size(1);
        HostArrays.requireShape("teacher boxes", boxes, q, 4);
        int n = gtBoxes == null || gtBoxes.isEmpty() ? 0 : (int) gtBoxes.size(0);
        if (n > 0) HostArrays.requireShape("ground-truth boxes", gtBoxes, n, 4);
        double[] l = HostArrays.toDoubles(logits);
        int k = (int) Math.min(topK, (long) q * c);
        int[] flat = topIndices(l, k);
        int[] queries = new int[k], classes = new int[k];
        double[] scores = new double[k], quality = new double[k];
        double[] maxIou = n == 0 ? null : maxIou(HostArrays.toDoubles(boxes), q, HostArrays.toDoubles(gtBoxes), n);
        for (int i = 0; i < k; i++) {
            queries[i] = flat[i] / c;
            classes[i] = flat[i] % c;
            scores[i] = sigmoid(l[flat[i]]);
            quality[i] = n == 0 ? scores[i] : scores[i] * maxIou[queries[i]];
        }
        return new Selection(queries, classes, scores, quality);
    }

    /** {@code 1 / (1 + exp(-x))}. */
    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Indices of the {@code k} largest values (largest first, ties by smaller index). Sigmoid is monotone. */
    private static int[] topIndices(double[] v, int k) {
        for (int i = 0; i < v.length; i++) {
            if (!(Math.abs(v[i]) < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("teacher logits entry " + i + " = " + v[i] + " is not finite");
            }
        }
        // min-heap of the best k: the root is the worst kept (smallest value, larger index on ties)
        PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1, (a, b) -> {
            int cmp = Double.compare(v[a], v[b]);
            return cmp != 0 ? cmp : Integer.compare(b, a);
        });
        for (int i = 0; i < v.length; i++) {
            heap.add(i);
            if (heap.size() > k) heap.poll();
        }
        int[] out = new int[k];
        for (int i = k - 1; i >= 0; i--) out[i] = heap.poll();
        return out;
    }

    /** {@code [Q]} max over the GT boxes of the IoU of each teacher box. */
    private static double[] maxIou(double[] boxes, int q, double[] gt, int n) {
        double[] a = new double[4 * q], b = new double[4 * n], iou = new double[q * n];
        BoxOps.cxcywhToXyxy(boxes, a, q);
        BoxOps.cxcywhToXyxy(gt, b, n);
        BoxOps.pairwiseIou(a, q, b, n, iou, null);
        double[] out = new double[q];
        for (int i = 0; i < q; i++) {
            double m = 0;
            for (int j = 0; j < n; j++) {
                double x = iou[i * n + j];
                if (x > m) m = x;   // NaN never wins
            }
            out[i] = m;
        }
        return out;
    }
}
