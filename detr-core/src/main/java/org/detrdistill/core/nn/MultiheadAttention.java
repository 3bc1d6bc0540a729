package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code torch.nn.MultiheadAttention} (batch-first) in SameDiff, plus the pieces variants recombine:
 * head splitting, scaled dot-product attention with additive biases, head merging.
 *
 * <p>Parameters follow PyTorch: {@code <prefix>.in_proj_weight [3E, E]} (W_q; W_k; W_v stacked, Xavier-uniform),
 * {@code <prefix>.in_proj_bias [3E]} (0), {@code <prefix>.out_proj.weight [E, E]} (PyTorch Linear default) and
 * {@code <prefix>.out_proj.bias [E]} (0). Attention runs as rank-4 matrix products (DL4J's batchMmul has no usable
 * backward) and {@code softmax(x, axis)} (no logSoftmax: its backward fails with an axis).
 */
public final class MultiheadAttention {
    /** Added to the scores of masked keys; exp() of it underflows to exactly 0 in float and double. */
    public static final double MASKED = -1e9;

    private MultiheadAttention() {}

    /**
     * @param query  {@code [B, Lq, E]}
     * @param key    {@code [B, Lk, E]}
     * @param value  {@code [B, Lk, E]}
     * @param bias   additive attention bias broadcastable to {@code [B, heads, Lq, Lk]} (e.g. {@link #keyPaddingBias}),
     *               or null
     * @return {@code [B, Lq, E]}
     */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable query, SDVariable key, SDVariable value,
                                   long embed, int heads, SDVariable bias) {
        if (embed % heads != 0) throw new IllegalArgumentException("embed dim " + embed + " is not divisible by " + heads + " heads");
        SameDiff sd = p.sd();
        SDVariable w = p.create(prefix + ".in_proj_weight", Init.xavierUniform(), 3 * embed, embed);
        SDVariable b = p.create(prefix + ".in_proj_bias", Init.zeros(), 3 * embed);
        SDVariable q = Linear.apply(sd, query, rows(w, 0, embed), rows(b, 0, embed), embed, embed);
        SDVariable k = Linear.apply(sd, key, rows(w, embed, 2 * embed), rows(b, embed, 2 * embed), embed, embed);
        SDVariable v = Linear.apply(sd, value, rows(w, 2 * embed, 3 * embed), rows(b, 2 * embed, 3 * embed), embed, embed);
        SDVariable attended = attend(sd, q, k, v, heads, embed / heads, embed / heads, bias);
        return Linear.apply(p, prefix + ".out_proj", attended, embed, embed, true, Init.torchDefault(embed), Init.zeros());
    }

    /**
     * Multi-head scaled dot-product attention on already projected inputs; q/k and v may have different head widths
     * (Conditional DETR concatenates content and position parts of q and k per head).
     *
     * @param q    {@code [B, Lq, heads·dqk]}
     * @param k    {@code [B, Lk, heads·dqk]}
     * @param v    {@code [B, Lk, heads·dv]}
     * @param bias additive bias broadcastable to {@code [B, heads, Lq, Lk]}, or null
     * @return {@code [B, Lq, heads·dv]}: heads merged, before any output projection
     */
    public static SDVariable attend(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, int heads, long dqk, long dv,
                                    SDVariable bias) {
        SDVariable qh = splitHeads(sd, q.mul(1.0 / Math.sqrt(dqk)), heads, dqk);
        SDVariable kh = splitHeads(sd, k, heads, dqk);
        SDVariable vh = splitHeads(sd, v, heads, dv);
        SDVariable scores = sd.mmul(qh, kh, false, true, false);               // [B, h, Lq, Lk]
        if (bias != null) scores = scores.add(bias);
        SDVariable attn = sd.nn.softmax(scores, 3);
        return mergeHeads(sd, sd.mmul(attn, vh), q, heads, dv);                 // [B, Lq, h·dv]
    }

    /** {@code [B, L, heads·d] -> [B, heads, L, d]}. */
    public static SDVariable splitHeads(SameDiff sd, SDVariable x, int heads, long d) {
        SDVariable r = sd.reshape(x, Shapes.leadingThen(sd, x, 2, heads, d));
        return sd.permute(r, 0, 2, 1, 3);
    }

    /** {@code [B, heads, L, d] -> [B, L, heads·d]}, taking B and L from {@code like [B, L, ...]}. */
    public static SDVariable mergeHeads(SameDiff sd, SDVariable x, SDVariable like, int heads, long d) {
        return sd.reshape(sd.permute(x, 0, 2, 1, 3), Shapes.leadingThen(sd, like, 2, heads * d));
    }

    /**
     * The additive bias that hides padded keys: {@code mask [B, Lk]} (1 = padding, 0 = valid, float) becomes
     * {@code [B, 1, 1, Lk]} with {@value #MASKED} at padded keys.
     */
    public static SDVariable keyPaddingBias(SameDiff sd, SDVariable mask) {
        return sd.expandDims(sd.expandDims(mask.mul(MASKED), 1), 1);
    }

    private static SDVariable rows(SDVariable x, long from, long to) {
        return x.get(SDIndex.interval(from, to));
    }
}
