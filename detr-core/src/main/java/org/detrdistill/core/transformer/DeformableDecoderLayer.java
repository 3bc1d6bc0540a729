package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.LayerNorm;
import org.detrdistill.core.nn.MultiheadAttention;
import org.detrdistill.core.nn.ParamFactory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Deformable DETR's {@code DeformableTransformerDecoderLayer} (post-norm, dropout 0), in the reference's order:
 * <pre>
 *   t   = norm2(tgt + self_attn(q = k = tgt + query_pos, v = tgt))                      (nn.MultiheadAttention)
 *   t   = norm1(t + cross_attn(t + query_pos, reference_points, memory, memory_padding_mask))   (MSDeformAttn)
 *   out = norm3(t + linear2(relu(linear1(t))))
 * </pre>
 * Parameters under {@code <prefix>.}: {@code self_attn.{in_proj_weight,in_proj_bias,out_proj.*}},
 * {@code cross_attn.*}, {@code norm1.*}, {@code norm2.*}, {@code norm3.*}, {@code linear1.*}, {@code linear2.*}.
 * Initialisation as the reference's {@code _reset_parameters}: every matrix Xavier-uniform (including the self-attention
 * {@code out_proj.weight}), {@code MSDeformAttn} its own scheme.
 */
public final class DeformableDecoderLayer {
    private DeformableDecoderLayer() {}

    /**
     * @param tgt             {@code [B, Q, d]} content queries
     * @param queryPos        {@code [B, Q, d]} query positional embedding
     * @param referencePoints {@code [B, Q, L, 2]} points or {@code [B, Q, L, 4]} boxes (normalised, already scaled by
     *                        the valid ratios), as {@code kind} says
     * @param memory          {@code [B, S, d]} encoder output
     * @param memoryMask      {@code [B, S]} 1 = padded token, or null
     * @param seed            seed of the Xavier re-draw of the self-attention {@code out_proj.weight}
     * @return {@code [B, Q, d]}
     */
    public static SDVariable apply(ParamFactory p, String prefix, DeformableTransformerConfig cfg, SDVariable tgt,
                                   SDVariable queryPos, SDVariable referencePoints, MSDeformAttn.Reference kind,
                                   SDVariable memory, LevelShapes levels, SDVariable memoryMask, long seed) {
        long d = cfg.dModel();
        SDVariable qk = tgt.add(queryPos);
        SDVariable sa = MultiheadAttention.apply(p, prefix + ".self_attn", qk, qk, tgt, d, cfg.nHeads(), null);
        if (!p.sharing()) xavier(p, prefix + ".self_attn.out_proj.weight", d, d, seed);   // a shared pass keeps the weights
        SDVariable t = LayerNorm.apply(p, prefix + ".norm2", tgt.add(sa), d);
        MSDeformAttn cross = MSDeformAttn.create(p, prefix + ".cross_attn", cfg.decoderAttention());
        SDVariable ca = cross.forward(prefix + ".cross_attn.output", t.add(queryPos), referencePoints, kind, memory, levels, memoryMask);
        t = LayerNorm.apply(p, prefix + ".norm1", t.add(ca), d);
        return DeformableEncoderLayer.feedForward(p, prefix, t, d, cfg.ffnDim(), "norm3");
    }

    /** Re-draws an existing {@code [out, in]} weight Xavier-uniform (the reference re-initialises every matrix). */
    private static void xavier(ParamFactory p, String name, long out, long in, long seed) {
        double[] v = new double[Math.toIntExact(out * in)];
        Init.xavierUniform().fill(v, new long[]{out, in}, new SplittableRandom(seed ^ 0x5DEECE66DL));
        INDArray w = Nd4j.create(v, new long[]{out, in}, DataType.DOUBLE).castTo(p.dataType());
        p.sd().getVariable(name).setArray(w);
    }
}
