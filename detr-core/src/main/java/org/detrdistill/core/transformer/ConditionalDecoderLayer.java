package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.LayerNorm;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.MultiheadAttention;
import org.detrdistill.core.nn.ParamFactory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Conditional DETR's post-norm {@code TransformerDecoderLayer} (Atten4Vis/ConditionalDETR {@code models/transformer.py},
 * {@code forward_post}; attention from {@code models/attention.py}, which has no input projections), dropout 0.
 * With {@code h} heads and head width {@code dh = d/h}:
 * <pre>
 *   self-attention:  q = sa_qcontent_proj(tgt) + sa_qpos_proj(query_pos)
 *                    k = sa_kcontent_proj(tgt) + sa_kpos_proj(query_pos),   v = sa_v_proj(tgt)
 *                    tgt = norm1(tgt + self_attn.out_proj(attention(q, k, v)))              (scale dh^-1/2)
 *   cross-attention: q_c = ca_qcontent_proj(tgt)       (+ ca_qpos_proj(query_pos) in the first layer only)
 *                    k_c = ca_kcontent_proj(memory)    (+ ca_kpos_proj(pos)       in the first layer only)
 *                    q = [q_c ; ca_qpos_sine_proj(query_sine_embed)] per head,  k = [k_c ; ca_kpos_proj(pos)] per head
 *                    (width 2d, head width 2·dh, scale (2·dh)^-1/2),  v = ca_v_proj(memory) (head width dh)
 *                    tgt = norm2(tgt + cross_attn.out_proj(attention(q, k, v, memory padding mask)))
 *   FFN:             tgt = norm3(tgt + linear2(relu(linear1(tgt))))
 * </pre>
 * Parameters under {@code <prefix>} carry the reference state_dict names: {@code sa_qcontent_proj}, {@code sa_qpos_proj},
 * {@code sa_kcontent_proj}, {@code sa_kpos_proj}, {@code sa_v_proj}, {@code self_attn.out_proj}, {@code ca_qcontent_proj},
 * {@code ca_qpos_proj} (first layer only: later layers have none, as in the reference), {@code ca_kcontent_proj},
 * {@code ca_kpos_proj}, {@code ca_v_proj}, {@code ca_qpos_sine_proj}, {@code cross_attn.out_proj}, {@code linear1},
 * {@code linear2}, {@code norm1..3} (each Linear with {@code .weight [out,in]} and {@code .bias [out]}). Initialisation
 * as the reference {@code Transformer}: Xavier-uniform matrices, PyTorch-default biases, attention output biases 0.
 *
 * <p>Token streams are 2-D and batch-major ({@code [B·Q, d]}, {@code [B·S, d]}) with Q and S static and B dynamic;
 * attention is {@link MultiheadAttention#attend2d}. The reference is sequence-first ({@code [Q,B,d]}):
 * permute {@code (1,0,2)} and flatten.
 */
public final class ConditionalDecoderLayer {
    private ConditionalDecoderLayer() {}

    /**
     * Adds one decoder layer to the graph.
     *
     * @param tgt            {@code [B·Q, d]} decoder content (zeros before the first layer)
     * @param memory         {@code [B·S, d]} encoder output
     * @param memoryBias     {@code [B, 1, 1, S]} additive key-padding bias of the memory
     *                       ({@link MultiheadAttention#keyPaddingBias(SameDiff, SDVariable, long)}), or null when
     *                       nothing is padded
     * @param pos            {@code [B·S, d]} positional encoding of the memory
     * @param queryPos       {@code [B·Q, d]} object queries (the learned {@code query_embed} per image)
     * @param querySineEmbed {@code [B·Q, d]} sine embedding of the reference points, already multiplied by the query
     *                       scale in layers after the first
     * @param queries        Q, queries per image
     * @param tokens         S, memory tokens per image
     * @param first          whether this is the first decoder layer (adds {@code ca_qpos_proj(query_pos)} to the
     *                       content query and {@code ca_kpos_proj(pos)} to the content key)
     * @return {@code [B·Q, d]} the layer output (before the decoder's shared norm)
     */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable tgt, SDVariable memory, SDVariable memoryBias,
                                   SDVariable pos, SDVariable queryPos, SDVariable querySineEmbed, long queries, long tokens,
                                   long d, int heads, long ffn, boolean first) {
        if (d % heads != 0) throw new IllegalArgumentException("d " + d + " is not divisible by " + heads + " heads");
        SameDiff sd = p.sd();
        long dh = d / heads;

        // ---- self-attention
        SDVariable q = proj(p, prefix + ".sa_qcontent_proj", tgt, d).add(proj(p, prefix + ".sa_qpos_proj", queryPos, d));
        SDVariable k = proj(p, prefix + ".sa_kcontent_proj", tgt, d).add(proj(p, prefix + ".sa_kpos_proj", queryPos, d));
        SDVariable v = proj(p, prefix + ".sa_v_proj", tgt, d);
        SDVariable sa = MultiheadAttention.attend2d(sd, q, k, v, queries, queries, heads, dh, dh, null);
        sa = outProj(p, prefix + ".self_attn.out_proj", sa, d);
        SDVariable x = LayerNorm.apply2d(p, prefix + ".norm1", tgt.add(sa), d);

        // ---- cross-attention
        SDVariable qContent = proj(p, prefix + ".ca_qcontent_proj", x, d);
        SDVariable kContent = proj(p, prefix + ".ca_kcontent_proj", memory, d);
        SDVariable value = proj(p, prefix + ".ca_v_proj", memory, d);
        SDVariable kPos = proj(p, prefix + ".ca_kpos_proj", pos, d);
        if (first) {
            qContent = qContent.add(proj(p, prefix + ".ca_qpos_proj", queryPos, d));
            kContent = kContent.add(kPos);
        }
        SDVariable qSine = proj(p, prefix + ".ca_qpos_sine_proj", querySineEmbed, d);
        SDVariable qCat = concatPerHead(sd, qContent, qSine, heads, dh);
        SDVariable kCat = concatPerHead(sd, kContent, kPos, heads, dh);
        SDVariable ca = MultiheadAttention.attend2d(sd, qCat, kCat, value, queries, tokens, heads, 2 * dh, dh, memoryBias);
        ca = outProj(p, prefix + ".cross_attn.out_proj", ca, d);
        x = LayerNorm.apply2d(p, prefix + ".norm2", x.add(ca), d);

        // ---- feed-forward
        SDVariable h = sd.nn.relu(proj(p, prefix + ".linear1", x, d, ffn), 0);
        SDVariable y = proj(p, prefix + ".linear2", h, ffn, d);
        return LayerNorm.apply2d(p, prefix + ".norm3", x.add(y), d);
    }

    /**
     * Concatenates two {@code [N, h·dh]} tensors head by head: {@code [N, h, dh] ‖ [N, h, dh] → [N, h·2dh]}, i.e. the
     * reference's {@code cat([a.view(L,B,h,dh), b.view(L,B,h,dh)], dim=3).view(L,B,2·h·dh)} (4 ops).
     */
    public static SDVariable concatPerHead(SameDiff sd, SDVariable a, SDVariable b, int heads, long dh) {
        SDVariable cat = sd.concat(2, sd.reshape(a, -1, heads, dh), sd.reshape(b, -1, heads, dh));
        return sd.reshape(cat, -1, 2L * heads * dh);
    }

    /** A d → d projection with the reference transformer's initialisation. */
    private static SDVariable proj(ParamFactory p, String name, SDVariable x, long d) {
        return proj(p, name, x, d, d);
    }

    private static SDVariable proj(ParamFactory p, String name, SDVariable x, long in, long out) {
        return Linear.apply2d(p, name, x, in, out, true, Init.xavierUniform(), Init.torchDefault(in));
    }

    /** The attention output projection: Xavier-uniform weight, zero bias (the reference's {@code _reset_parameters}). */
    private static SDVariable outProj(ParamFactory p, String name, SDVariable x, long d) {
        return Linear.apply2d(p, name, x, d, d, true, Init.xavierUniform(), Init.zeros());
    }
}
