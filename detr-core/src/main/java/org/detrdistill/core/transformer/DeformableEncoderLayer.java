package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.LayerNorm;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.ParamFactory;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Deformable DETR's {@code DeformableTransformerEncoderLayer} (post-norm, dropout 0):
 * <pre>
 *   x   = norm1(src + self_attn(query = src + pos, reference_points, value = src, padding_mask))
 *   out = norm2(x + linear2(relu(linear1(x))))
 * </pre>
 * with {@code self_attn} an {@link MSDeformAttn} over all levels. Parameters under {@code <prefix>.}:
 * {@code self_attn.*} ({@link MSDeformAttn#PARAMETER_KEYS}), {@code norm1.*}, {@code linear1.*}, {@code linear2.*},
 * {@code norm2.*}: the reference state_dict keys. Initialisation as the reference's
 * {@code DeformableTransformer._reset_parameters}: FFN weights Xavier-uniform (biases PyTorch's default),
 * {@code MSDeformAttn} its own scheme, LayerNorms 1 / 0.
 */
public final class DeformableEncoderLayer {
    private DeformableEncoderLayer() {}

    /**
     * @param src             {@code [B, S, d]} flattened multi-level tokens
     * @param pos             {@code [B, S, d]} positional + level embedding of each token
     * @param referencePoints {@code [B, S, L, 2]} normalised (x, y) per token and level
     *                        ({@link DeformableGeometry#encoderReferencePoints})
     * @param paddingMask     {@code [B, S]} 1 = padded token, or null
     * @return {@code [B, S, d]}
     */
    public static SDVariable apply(ParamFactory p, String prefix, DeformableTransformerConfig cfg, SDVariable src,
                                   SDVariable pos, SDVariable referencePoints, LevelShapes levels, SDVariable paddingMask) {
        MSDeformAttn attn = MSDeformAttn.create(p, prefix + ".self_attn", cfg.encoderAttention());
        SDVariable a = attn.forward(prefix + ".self_attn.output", src.add(pos), referencePoints, MSDeformAttn.Reference.POINTS,
                src, levels, paddingMask);
        SDVariable x = LayerNorm.apply(p, prefix + ".norm1", src.add(a), cfg.dModel());
        return feedForward(p, prefix, x, cfg.dModel(), cfg.ffnDim(), "norm2");
    }

    /**
     * The reference's {@code forward_ffn}: {@code <norm>(x + linear2(relu(linear1(x))))}, Xavier-uniform weights.
     *
     * @param x    {@code [..., d]}
     * @param norm name of the LayerNorm ({@code norm2} in the encoder, {@code norm3} in the decoder)
     */
    static SDVariable feedForward(ParamFactory p, String prefix, SDVariable x, long d, long ffn, String norm) {
        SDVariable h = p.sd().nn.relu(Linear.apply(p, prefix + ".linear1", x, d, ffn, true, Init.xavierUniform(), Init.torchDefault(d)), 0);
        SDVariable y = Linear.apply(p, prefix + ".linear2", h, ffn, d, true, Init.xavierUniform(), Init.torchDefault(ffn));
        return LayerNorm.apply(p, prefix + "." + norm, x.add(y), d);
    }
}
