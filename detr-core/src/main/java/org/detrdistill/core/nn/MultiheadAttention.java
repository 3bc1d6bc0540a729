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
 *
 * <p><b>2-D token streams</b> ({@code apply2d}, {@link #attend2d}): inputs {@code [B·L, E]} with the sequence lengths
 * static (known when the graph is built) and B dynamic. Heads are split with one reshape and one permute each, keys
 * straight into {@code [B, heads, d, Lk]} so the scores need no transpose: 12 ops per attention (13 with a key-padding
 * bias), no shape ops. DL4J's fused {@code dot_product_attention} op was measured and not used: its gradient is correct,
 * but at these sizes one call costs 0.6 ms forward and 1.7 ms backward inside the op, more than the 5 + 5 ops it
 * replaces including their dispatch.
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

    /**
     * {@code torch.nn.MultiheadAttention} on 2-D token streams, same parameters as {@link #apply}.
     *
     * @param query {@code [B·lq, E]}
     * @param key   {@code [B·lk, E]}
     * @param value {@code [B·lk, E]}
     * @param bias  additive attention bias broadcastable to {@code [B, heads, lq, lk]} (e.g.
     *              {@link #keyPaddingBias(SameDiff, SDVariable, long)}), or null
     * @return {@code [B·lq, E]}
     */
    public static SDVariable apply2d(ParamFactory p, String prefix, SDVariable query, SDVariable key, SDVariable value,
                                     long lq, long lk, long embed, int heads, SDVariable bias) {
        if (embed % heads != 0) throw new IllegalArgumentException("embed dim " + embed + " is not divisible by " + heads + " heads");
        SameDiff sd = p.sd();
        SDVariable w = p.create(prefix + ".in_proj_weight", Init.xavierUniform(), 3 * embed, embed);
        SDVariable b = p.create(prefix + ".in_proj_bias", Init.zeros(), 3 * embed);
        SDVariable[] ws = sd.split(w, 3, 0), bs = sd.split(b, 3, 0);                   // W_q, W_k, W_v: one op each
        SDVariable q = Linear.apply2d(sd, query, ws[0], bs[0]);
        SDVariable k = Linear.apply2d(sd, key, ws[1], bs[1]);
        SDVariable v = Linear.apply2d(sd, value, ws[2], bs[2]);
        SDVariable attended = attend2d(sd, q, k, v, lq, lk, heads, embed / heads, embed / heads, bias);
        return Linear.apply2d(p, prefix + ".out_proj", attended, embed, embed, true, Init.torchDefault(embed), Init.zeros());
    }

    /**
     * Multi-head scaled dot-product attention on projected 2-D token streams (scale {@code dqk^-1/2}); q/k and v may
     * have different head widths.
     *
     * @param q    {@code [B·lq, heads·dqk]}
     * @param k    {@code [B·lk, heads·dqk]}
     * @param v    {@code [B·lk, heads·dv]}
     * @param bias additive bias broadcastable to {@code [B, heads, lq, lk]}, or null
     * @return {@code [B·lq, heads·dv]}: heads merged, before any output projection
     */
    public static SDVariable attend2d(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, long lq, long lk, int heads,
                                      long dqk, long dv, SDVariable bias) {
        SDVariable qh = sd.permute(sd.reshape(q.mul(1.0 / Math.sqrt(dqk)), -1, lq, heads, dqk), 0, 2, 1, 3);  // [B,h,lq,dqk]
        SDVariable kh = sd.permute(sd.reshape(k, -1, lk, heads, dqk), 0, 2, 3, 1);                           // [B,h,dqk,lk]
        SDVariable vh = sd.permute(sd.reshape(v, -1, lk, heads, dv), 0, 2, 1, 3);                            // [B,h,lk,dv]
        SDVariable scores = sd.mmul(qh, kh);                                                                 // [B,h,lq,lk]
        if (bias != null) scores = scores.add(bias);
        SDVariable out = sd.mmul(sd.nn.softmax(scores, 3), vh);                                             // [B,h,lq,dv]
        return sd.reshape(sd.permute(out, 0, 2, 1, 3), -1, heads * dv);
    }

    /**
     * The additive bias of {@link #attend2d} that hides padded keys: a padding mask {@code [B, ...]} (1 = padding, any
     * trailing shape of {@code length} entries, e.g. a level's {@code [B, H, W]}) becomes {@code [B, 1, 1, length]} with
     * {@value #MASKED} at padded keys (2 ops, no shape ops).
     */
    public static SDVariable keyPaddingBias(SameDiff sd, SDVariable paddingMask, long length) {
        return sd.reshape(paddingMask, -1, 1, 1, length).mul(MASKED);
    }

    private static SDVariable rows(SDVariable x, long from, long to) {
        return x.get(SDIndex.interval(from, to));
    }
}
