package org.detrdistill.core.position;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * DETR's {@code PositionEmbeddingSine} for a padded batch, computed on plain arrays (the padding mask is data, not a
 * trainable quantity; and SameDiff's cumsum along axis ≥ 1 has a wrong gradient). Feed the result to the graph as a
 * placeholder or constant.
 *
 * <p>With {@code notMask = 1 − mask}: {@code y = cumsum_H(notMask)}, {@code x = cumsum_W(notMask)}; if
 * {@code normalize}: {@code y = (y + offset) / (y_lastRow + eps) · scale} (same for x with the last column). Then for
 * {@code k < n}: {@code pos_y[k] = sin(y / dim_t[k])} for even k, {@code cos(y / dim_t[k])} for odd k, and
 * likewise {@code pos_x}; the output is {@code cat(pos_y, pos_x)} along channels. {@code dim_t} is the float32
 * {@link FrequencyTable}; everything else is computed in double and cast at the end (the reference computes in
 * float32: expect ~1e-6 differences from its float32 output).
 *
 * @param numPosFeats n, features per axis; the output has {@code 2n} channels (DETR: {@code d_model / 2})
 * @param temperature T of the frequency table (10000)
 * @param normalize   divide by the valid extent (true in every DETR variant)
 * @param scale       scale after normalisation (2π)
 * @param eps         added to the normaliser (1e-6)
 * @param offset      added to the cumulative sums before normalising: 0 (DETR, Conditional DETR) or −0.5
 *                    (Deformable DETR, pixel centres)
 */
public record PositionEmbeddingSine(int numPosFeats, double temperature, boolean normalize, double scale, double eps,
                                    double offset) {
    public PositionEmbeddingSine {
        FrequencyTable.float32(numPosFeats, temperature); // validates n and T
        if (!(scale > 0) || !(eps >= 0) || !Double.isFinite(offset)) {
            throw new IllegalArgumentException("scale must be > 0, eps >= 0 and offset finite; got scale " + scale
                    + ", eps " + eps + ", offset " + offset);
        }
    }

    /** DETR / Conditional DETR: normalised, scale 2π, T 10000, eps 1e-6, no offset. */
    public static PositionEmbeddingSine detr(int numPosFeats) {
        return new PositionEmbeddingSine(numPosFeats, 10000, true, 2 * Math.PI, 1e-6, 0.0);
    }

    /** Deformable DETR: as {@link #detr} with offset −0.5 ({@code (cumsum − 0.5) / (last + eps) · 2π}). */
    public static PositionEmbeddingSine deformable(int numPosFeats) {
        return new PositionEmbeddingSine(numPosFeats, 10000, true, 2 * Math.PI, 1e-6, -0.5);
    }

    /** Output channels: {@code 2 · numPosFeats}. */
    public int channels() { return 2 * numPosFeats; }

    /**
     * @param mask {@code [B,H,W]} padding mask of any numeric or boolean type, non-zero = padded
     * @param type FLOAT or DOUBLE
     * @return {@code [B, 2·numPosFeats, H, W]} of {@code type}: channels {@code [0,n)} encode y, {@code [n,2n)} x
     */
    public INDArray embed(INDArray mask, DataType type) {
        if (mask.rank() != 3) {
            throw new IllegalArgumentException("mask must be [B,H,W], got " + Arrays.toString(mask.shape()));
        }
        int b = (int) mask.size(0), h = (int) mask.size(1), w = (int) mask.size(2);
        int n = numPosFeats;
        double[] m = mask.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] dimT = FrequencyTable.float32(n, temperature);
        double[] out = new double[b * 2 * n * h * w];
        int hw = h * w;
        double[] cy = new double[hw], cx = new double[hw];
        for (int bi = 0; bi < b; bi++) {
            int base = bi * hw;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double valid = m[base + i * w + j] != 0 ? 0 : 1;
                    cy[i * w + j] = valid + (i > 0 ? cy[(i - 1) * w + j] : 0);
                    cx[i * w + j] = valid + (j > 0 ? cx[i * w + j - 1] : 0);
                }
            }
            // each distinct (cumsum, normaliser) pair gives one feature row: cache it
            Map<Long, double[]> rows = new HashMap<>();
            int outBase = bi * 2 * n * hw;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int p = i * w + j;
                    double[] ry = row(rows, cy[p], cy[(h - 1) * w + j], dimT);
                    double[] rx = row(rows, cx[p], cx[i * w + w - 1], dimT);
                    for (int k = 0; k < n; k++) {
                        out[outBase + k * hw + p] = ry[k];
                        out[outBase + (n + k) * hw + p] = rx[k];
                    }
                }
            }
        }
        return Nd4j.create(out, new long[] {b, 2L * n, h, w}, DataType.DOUBLE).castTo(type);
    }

    private double[] row(Map<Long, double[]> cache, double cum, double last, double[] dimT) {
        long key = ((long) cum << 32) | (long) last;
        double[] r = cache.get(key);
        if (r != null) return r;
        double v = normalize ? (cum + offset) / (last + eps) * scale : cum;
        r = new double[dimT.length];
        for (int k = 0; k < dimT.length; k++) {
            double a = v / dimT[k];
            r[k] = k % 2 == 0 ? Math.sin(a) : Math.cos(a);
        }
        cache.put(key, r);
        return r;
    }
}
