package org.detrdistill.core.transformer;

import org.detrdistill.core.box.SdBoxOps;
import org.detrdistill.core.internal.dl4j.BroadcastSafe;
import org.detrdistill.core.nn.Detach;
import org.detrdistill.core.nn.Shapes;
import org.detrdistill.core.position.FrequencyTable;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdaMixer's query boxes in SameDiff. A box is {@code xyzr}: centre (x, y) in image pixels, {@code z = log2 √(w·h)}
 * (scale), {@code r = log2(h/w)} (aspect), so {@code w = 2^z·2^(−r/2)} and {@code h = 2^z·2^(r/2)}. The functions
 * follow {@code decode_box}, {@code make_sample_points}, {@code position_embedding}, {@code refine_xyzr} of
 * adamixer_decoder_stage.py, {@code bbox_overlaps(mode='iof')} of mmdet and {@code _decode_init_proposals} of
 * query_generator.py. Powers of two are {@code exp(t·ln 2)} (SameDiff's pow with a tensor exponent is not in our
 * checked list); that differs from PyTorch's {@code 2 ** t} by an ulp. Plain-INDArray versions are in
 * {@link AdaMixerDecoderStageReference}.
 *
 * <p>Shapes: {@code [B,N,4]} with B dynamic; N may be dynamic too.
 */
public final class XyzrBoxes {
    /** {@code mmdet bbox_overlaps} floor on the IoF denominator. */
    public static final double IOF_EPS = 1e-6;
    /** Added to the IoF before the log of the attention bias. */
    public static final double LOG_EPS = 1e-7;
    private static final double LN2 = Math.log(2);

    private XyzrBoxes() {}

    /** The four columns {@code [B,N,1]} x, y, z, r. */
    public static SDVariable[] columns(SameDiff sd, SDVariable xyzr) {
        return sd.split(xyzr, 4, 2);
    }

    /** {@code 2^t}. */
    public static SDVariable pow2(SDVariable t) {
        return t.getSameDiff().math.exp(t.mul(LN2));
    }

    /** {@code (w, h)} as two {@code [B,N,1]} columns: {@code 2^z·2^(−r/2)}, {@code 2^z·2^(r/2)}. */
    public static SDVariable[] widthHeight(SameDiff sd, SDVariable z, SDVariable r) {
        SDVariable scale = pow2(z);
        return new SDVariable[]{scale.mul(pow2(r.mul(-0.5))), scale.mul(pow2(r.mul(0.5)))};
    }

    /**
     * {@code decode_box}: xyzr → xyxy in pixels.
     *
     * @param xyzr {@code [B,N,4]}
     * @return {@code [B,N,4]} (x0, y0, x1, y1)
     */
    public static SDVariable decodeXyxy(SameDiff sd, SDVariable xyzr) {
        SDVariable[] c = columns(sd, xyzr);
        SDVariable[] wh = widthHeight(sd, c[2], c[3]);
        SDVariable hw = wh[0].mul(0.5), hh = wh[1].mul(0.5);
        return sd.concat(2, c[0].sub(hw), c[1].sub(hh), c[0].add(hw), c[1].add(hh));
    }

    /**
     * The IoF attention bias input {@code log(iof + 1e-7)}, computed without gradient (the reference runs it under
     * {@code torch.no_grad()}): {@code iof[b,i,j] = inter(i,j) / max(area(i), 1e-6)}.
     *
     * @param xyzr {@code [B,N,4]}
     * @return {@code [B,N,N]}; also names {@code name + "_iof"} (the IoF itself) when {@code name} is not null
     */
    public static SDVariable logIof(SameDiff sd, String name, SDVariable xyzr) {
        SDVariable boxes = decodeXyxy(sd, Detach.apply(null, xyzr));
        SDVariable a = sd.expandDims(boxes, 2);                                     // [B,N,1,4]
        SDVariable b = sd.expandDims(boxes, 1);                                     // [B,1,N,4]
        SDVariable[] ac = sd.split(a, 4, 3), bc = sd.split(b, 4, 3);
        SDVariable w = sd.nn.relu(BroadcastSafe.min(sd, ac[2], bc[2]).sub(BroadcastSafe.max(sd, ac[0], bc[0])), 0);
        SDVariable h = sd.nn.relu(BroadcastSafe.min(sd, ac[3], bc[3]).sub(BroadcastSafe.max(sd, ac[1], bc[1])), 0);
        SDVariable overlap = w.mul(h);                                              // [B,N,N,1]
        SDVariable area = ac[2].sub(ac[0]).mul(ac[3].sub(ac[1]));                   // [B,N,1,1]
        SDVariable union = sd.math.max(area, sd.zerosLike(area).add(IOF_EPS));
        SDVariable iof = sd.squeeze(overlap.div(union), 3);                          // [B,N,N]
        if (name != null) iof = sd.identity(name + "_iof", iof);
        return sd.math.log(iof.add(LOG_EPS));
    }

    /**
     * {@code position_embedding(xyzr, d/4)}: {@code xyzr / (1000, 1000, 1, 1)} divided by the float32 frequency table
     * {@code 10000^(2·⌊k/2⌋/F)}, sin at even k, cos at odd k; coordinates outer, k inner. Without gradient (the
     * reference runs it under {@code torch.no_grad()}).
     *
     * @param xyzr {@code [B,N,4]}
     * @param dim  d, a multiple of 8
     * @return {@code [B,N,d]}
     */
    public static SDVariable positionEmbedding(SameDiff sd, SDVariable xyzr, int dim) {
        if (dim % 8 != 0) throw new IllegalArgumentException("position embedding width must be a multiple of 8, got " + dim);
        int f = dim / 4;
        DataType t = xyzr.dataType();
        double[] table = FrequencyTable.float32(f, 10000);
        double[] even = new double[f], odd = new double[f];
        for (int k = 0; k < f; k++) {
            even[k] = k % 2 == 0 ? 1 : 0;
            odd[k] = 1 - even[k];
        }
        SDVariable scaled = Detach.apply(null, xyzr).div(sd.constant(Nd4j.create(new double[]{1000, 1000, 1, 1}, new long[]{1, 1, 4}, t)));
        SDVariable pos = sd.expandDims(scaled, 3).div(sd.constant(Nd4j.create(table, new long[]{1, 1, 1, f}, t)));   // [B,N,4,F]
        SDVariable mixed = sd.math.sin(pos).mul(sd.constant(Nd4j.create(even, new long[]{1, 1, 1, f}, t)))
                .add(sd.math.cos(pos).mul(sd.constant(Nd4j.create(odd, new long[]{1, 1, 1, f}, t))));
        return Shapes.reshape(sd, mixed, Shapes.size(sd, xyzr, 0), Shapes.size(sd, xyzr, 1), (long) dim);
    }

    /**
     * {@code make_sample_points}: {@code offsets [B,N,K·3]} read as K points (dx, dy, dz); x, y = centre + (dx, dy)·(w, h),
     * z = z + dz.
     *
     * @param offsets {@code [B,N,K·3]}
     * @param xyzr    {@code [B,N,4]}
     * @param k       points per query (groups × points)
     * @return {@code [B,N,1,K,3]} (x, y in pixels, z = log2 scale)
     */
    public static SDVariable samplePoints(SameDiff sd, SDVariable offsets, SDVariable xyzr, int k) {
        SDVariable off = Shapes.reshape(sd, offsets, Shapes.size(sd, xyzr, 0), Shapes.size(sd, xyzr, 1), (long) k, 3L);                // [B,N,K,3]
        SDVariable[] o = sd.split(off, 3, 3);
        SDVariable[] c = columns(sd, xyzr);
        SDVariable[] wh = widthHeight(sd, c[2], c[3]);
        SDVariable x = sd.expandDims(c[0], 3).add(o[0].mul(sd.expandDims(wh[0], 3)));                  // [B,N,K,1]
        SDVariable y = sd.expandDims(c[1], 3).add(o[1].mul(sd.expandDims(wh[1], 3)));
        SDVariable z = sd.expandDims(c[2], 3).add(o[2]);
        return sd.expandDims(sd.concat(3, x, y, z), 2);                                                   // [B,N,1,K,3]
    }

    /**
     * {@code refine_xyzr}: {@code xy += Δxy·2^z}, {@code zr += Δzr}.
     *
     * @param xyzr  {@code [B,N,4]}
     * @param delta {@code [B,N,4]}
     * @return {@code [B,N,4]}
     */
    public static SDVariable refine(SameDiff sd, SDVariable xyzr, SDVariable delta) {
        SDVariable[] c = columns(sd, xyzr);
        SDVariable[] d = columns(sd, delta);
        SDVariable scale = pow2(c[2]);
        return sd.concat(2, c[0].add(d[0].mul(scale)), c[1].add(d[1].mul(scale)), c[2].add(d[2]), c[3].add(d[3]));
    }

    /**
     * Boxes for the detector contract: {@code decode_box(xyzr) / (W, H, W, H)} as cxcywh, i.e. normalised by each
     * image's size, as the reference normalises before matching and in the L1 loss.
     *
     * @param xyzr {@code [B,N,4]}
     * @param whwh {@code [B,1,4]} (W, H, W, H) of each image in pixels
     * @return {@code [B,N,4]} cxcywh normalised
     */
    public static SDVariable toCxcywh(SameDiff sd, SDVariable xyzr, SDVariable whwh) {
        return SdBoxOps.xyxyToCxcywh(sd, decodeXyxy(sd, xyzr).div(whwh));
    }

    /**
     * {@code _decode_init_proposals}: proposals {@code [N,4]} cxcywh relative to the image ({@code (0.5, 0.5, 1, 1)} =
     * the whole image) scaled to each image and converted to xyzr.
     *
     * @param proposals {@code [N,4]} cxcywh, normalised
     * @param whwh      {@code [B,1,4]}
     * @return {@code [B,N,4]} xyzr (no gradient to the proposals: the reference detaches it)
     */
    public static SDVariable fromProposals(SameDiff sd, SDVariable proposals, SDVariable whwh) {
        SDVariable xyxy = sd.expandDims(SdBoxOps.cxcywhToXyxy(sd, Detach.apply(null, proposals)), 0).mul(whwh);   // [B,N,4]
        SDVariable[] c = columns(sd, xyxy);
        SDVariable w = c[2].sub(c[0]), h = c[3].sub(c[1]);
        SDVariable z = sd.math.log(sd.math.sqrt(w.mul(h))).div(LN2);
        SDVariable r = sd.math.log(h.div(w)).div(LN2);
        return sd.concat(2, c[0].add(c[2]).mul(0.5), c[1].add(c[3]).mul(0.5), z, r);
    }

    /**
     * Each image's {@code (W, H, W, H)} in pixels from the pixel mask, the image being the unpadded top-left part:
     * W = the valid pixels of row 0, H = the valid pixels of column 0.
     *
     * @param pixelMask {@code [B,H,W]}, 1 = padding
     * @return {@code [B,1,4]}
     */
    public static SDVariable imageWhwh(SameDiff sd, SDVariable pixelMask) {
        SDVariable valid = pixelMask.rsub(1.0);
        SDVariable row = sd.stridedSlice(valid, new long[]{0, 0, 0}, new long[]{0, 1, 0}, new long[]{1, 1, 1}, 5, 5, 0, 0, 2);  // [B,W]
        SDVariable col = sd.stridedSlice(valid, new long[]{0, 0, 0}, new long[]{0, 0, 1}, new long[]{1, 1, 1}, 3, 3, 0, 0, 4);  // [B,H]
        SDVariable w = sd.expandDims(row.sum(true, 1), 2), h = sd.expandDims(col.sum(true, 1), 2);                                   // [B,1,1]
        return sd.concat(2, w, h, w, h);
    }
}
