package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.LayerNorm;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.MultiheadAttention;
import org.detrdistill.core.nn.ParamFactory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * DETR's post-norm {@code TransformerEncoderLayer} (also Conditional DETR's), dropout 0:
 * <pre>
 *   x = norm1(src + self_attn(q = k = src + pos, v = src, key_padding_mask))
 *   out = norm2(x + linear2(relu(linear1(x))))
 * </pre>
 * Parameters under {@code <prefix>}: {@code self_attn.{in_proj_weight,in_proj_bias,out_proj.*}},
 * {@code linear1.*}, {@code linear2.*}, {@code norm1.*}, {@code norm2.*} (the reference state_dict keys).
 *
 * <p>Token streams are 2-D, {@code [B·S, d]} with S static (B dynamic): about 40 ops per layer, no shape ops.
 */
public final class EncoderLayer {
    private EncoderLayer() {}

    /**
     * @param src      {@code [B·S, d]} tokens (flattened feature maps)
     * @param pos      {@code [B·S, d]} positional encoding of the tokens
     * @param maskBias {@code [B, 1, 1, S]} additive key-padding bias
     *                 ({@link MultiheadAttention#keyPaddingBias(org.nd4j.autodiff.samediff.SameDiff, SDVariable, long)}), or null
     * @param length   S, tokens per image
     * @return {@code [B·S, d]}
     */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable src, SDVariable pos, SDVariable maskBias,
                                   long length, long d, int heads, long ffn) {
        SDVariable qk = src.add(pos);
        SDVariable attn = MultiheadAttention.apply2d(p, prefix + ".self_attn", qk, qk, src, length, length, d, heads, maskBias);
        SDVariable x = LayerNorm.apply2d(p, prefix + ".norm1", src.add(attn), d);
        return LayerNorm.apply2d(p, prefix + ".norm2", x.add(feedForward(p, prefix, x, d, ffn)), d);
    }

    /**
     * The FFN {@code linear2(relu(linear1(x)))} on {@code x [N, d]}, parameters {@code <prefix>.linear1.*},
     * {@code <prefix>.linear2.*}.
     */
    public static SDVariable feedForward(ParamFactory p, String prefix, SDVariable x, long d, long ffn) {
        SameDiff sd = p.sd();
        SDVariable h = sd.nn.relu(Linear.apply2d(p, prefix + ".linear1", x, d, ffn), 0);
        return Linear.apply2d(p, prefix + ".linear2", h, ffn, d);
    }
}
