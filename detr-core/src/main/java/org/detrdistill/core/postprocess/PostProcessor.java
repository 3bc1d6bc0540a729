package org.detrdistill.core.postprocess;

import org.detrdistill.core.box.BoxOps;
import org.detrdistill.core.box.HostArrays;
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns raw detector outputs into {@link Detections} in original-image pixels, as the reference {@code PostProcess}
 * modules do.
 *
 * <ul>
 *   <li>{@link Mode#SIGMOID_TOP_K} (Deformable DETR, Conditional DETR, AdaMixer): scores {@code sigmoid(logits)}
 *       over all {@code Q*C} (query, class) pairs; the {@code k} best (default 100) become detections, so one query
 *       can yield several labels. Label = flat index mod C, query = flat index / C.</li>
 *   <li>{@link Mode#SOFTMAX} (DETR): per query, {@code softmax} over the C columns (the last is no-object); score and
 *       label = max and argmax over the real classes {@code [0, C-1)}; one detection per query, the best
 *       {@code k} kept (default all).</li>
 * </ul>
 * Boxes: {@code [Q,4]} cxcywh normalised -> xyxy, scaled by {@code (w, h, w, h)} of the original image; not clipped.
 * Detections are sorted by score descending; equal scores keep the lower flat index (query-major) first.
 *
 * <p>Immutable and thread-safe.
 */
public final class PostProcessor {
    /** How scores and labels are read from the logits. */
    public enum Mode { SIGMOID_TOP_K, SOFTMAX }

    /** The reference number of detections per image for the sigmoid detectors. */
    public static final int DEFAULT_TOP_K = 100;

    private final Mode mode;
    private final int topK;

    private PostProcessor(Mode mode, int topK) {
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        this.mode = mode;
        this.topK = topK;
    }

    /** Sigmoid scores, top 100 over Q*C (Deformable DETR's {@code PostProcess}). */
    public static PostProcessor sigmoidTopK() { return new PostProcessor(Mode.SIGMOID_TOP_K, DEFAULT_TOP_K); }

    /** Sigmoid scores, top {@code k} over Q*C. */
    public static PostProcessor sigmoidTopK(int k) { return new PostProcessor(Mode.SIGMOID_TOP_K, k); }

    /** Softmax scores, one detection per query, all queries (DETR's {@code PostProcess}, sorted). */
    public static PostProcessor softmax() { return new PostProcessor(Mode.SOFTMAX, Integer.MAX_VALUE); }

    /** Softmax scores, one detection per query, the best {@code k} queries. */
    public static PostProcessor softmax(int k) { return new PostProcessor(Mode.SOFTMAX, k); }

    public Mode mode() { return mode; }

    /** Maximum number of detections per image ({@link Integer#MAX_VALUE} = all). */
    public int topK() { return topK; }

    /**
     * Post-processes a batch, scaling to each target's original size ({@code origWidth, origHeight}).
     *
     * @param logits  {@code [B,Q,C]} class logits
     * @param boxes   {@code [B,Q,4]} cxcywh, normalised
     * @param targets {@code B} targets: image id and original size
     */
    public List<Detections> process(INDArray logits, INDArray boxes, List<ImageTarget> targets) {
        int[][] sizes = new int[targets.size()][];
        long[] ids = new long[targets.size()];
        for (int b = 0; b < sizes.length; b++) {
            ImageTarget t = Objects.requireNonNull(targets.get(b), "targets[" + b + "]");
            sizes[b] = new int[]{t.origHeight(), t.origWidth()};
            ids[b] = t.imageId();
        }
        return process(logits, boxes, sizes, ids);
    }

    /**
     * Post-processes a batch with explicit sizes; image ids are the batch indices.
     *
     * @param imageSizes {@code [B][2]} = {@code (height, width)} in pixels, as DETR's {@code target_sizes}
     */
    public List<Detections> process(INDArray logits, INDArray boxes, int[][] imageSizes) {
        long[] ids = new long[imageSizes.length];
        for (int b = 0; b < ids.length; b++) ids[b] = b;
        return process(logits, boxes, imageSizes, ids);
    }

    /**
     * Post-processes one image.
     *
     * @param logits {@code [Q,C]}
     * @param boxes  {@code [Q,4]} cxcywh, normalised
     */
    public Detections processImage(INDArray logits, INDArray boxes, long imageId, int height, int width) {
        HostArrays.requireShape("logits", logits, -1, -1);
        HostArrays.requireShape("boxes", boxes, logits.size(0), 4);
        return image(HostArrays.toDoubles(logits), HostArrays.toDoubles(boxes), 0, (int) logits.size(0),
                (int) logits.size(1), imageId, height, width, "logits");
    }

    private List<Detections> process(INDArray logits, INDArray boxes, int[][] sizes, long[] ids) {
        HostArrays.requireShape("logits", logits, sizes.length, -1, -1);
        HostArrays.requireShape("boxes", boxes, sizes.length, logits.size(1), 4);
        double[] l = HostArrays.toDoubles(logits), bx = HostArrays.toDoubles(boxes);
        int q = (int) logits.size(1), c = (int) logits.size(2);
        List<Detections> out = new ArrayList<>(sizes.length);
        for (int b = 0; b < sizes.length; b++) {
            if (sizes[b] == null || sizes[b].length != 2) throw new IllegalArgumentException("imageSizes[" + b + "] must be {height, width}");
            out.add(image(l, bx, b, q, c, ids[b], sizes[b][0], sizes[b][1], "logits[" + b + "]"));
        }
        return out;
    }

    private Detections image(double[] logits, double[] boxes, int b, int q, int c, long id, int height, int width,
                             String name) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image " + id + ": size must be positive, got height " + height
                    + ", width " + width);
        }
        if (mode == Mode.SOFTMAX && c < 2) throw new IllegalArgumentException(name + ": softmax needs >= 2 columns (classes + no-object), got " + c);
        int lOff = b * q * c;
        for (int i = 0; i < q * c; i++) {
            if (Double.isNaN(logits[lOff + i])) throw new IllegalArgumentException(name + "[" + i / c + ", " + i % c + "] is NaN");
        }
        int candidates = mode == Mode.SIGMOID_TOP_K ? q * c : q;
        double[] score = new double[candidates];
        int[] label = new int[candidates];
        if (mode == Mode.SIGMOID_TOP_K) {
            for (int i = 0; i < candidates; i++) {
                score[i] = 1 / (1 + Math.exp(-logits[lOff + i]));
                label[i] = i % c;
            }
        } else {
            for (int i = 0; i < q; i++) {
                int row = lOff + i * c;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int k = 0; k < c; k++) max = Math.max(max, logits[row + k]);
                for (int k = 0; k < c; k++) sum += Math.exp(logits[row + k] - max);
                int best = 0;
                for (int k = 1; k < c - 1; k++) if (logits[row + k] > logits[row + best]) best = k;
                score[i] = Math.exp(logits[row + best] - max) / sum;
                label[i] = best;
            }
        }
        int[] order = TopK.select(score, Math.min(topK, candidates));
        int k = order.length;
        double[] s = new double[k], xyxy = new double[4 * k];
        int[] lab = new int[k];
        int bOff = b * q * 4;
        for (int r = 0; r < k; r++) {
            int idx = order[r], query = mode == Mode.SIGMOID_TOP_K ? idx / c : idx;
            s[r] = score[idx];
            lab[r] = label[idx];
            System.arraycopy(boxes, bOff + 4 * query, xyxy, 4 * r, 4);
        }
        BoxOps.cxcywhToXyxy(xyxy, xyxy, k);
        for (int r = 0; r < 4 * k; r += 4) {
            xyxy[r] *= width;
            xyxy[r + 1] *= height;
            xyxy[r + 2] *= width;
            xyxy[r + 3] *= height;
        }
        return new Detections(id, s, lab, xyxy);
    }
}
