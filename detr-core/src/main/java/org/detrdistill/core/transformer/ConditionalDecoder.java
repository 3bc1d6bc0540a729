package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.LayerNorm;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.Mlp;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.position.SineEmbedding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;

/**
 * Conditional DETR's {@code TransformerDecoder} with {@code return_intermediate=True} (Atten4Vis/ConditionalDETR
 * {@code models/transformer.py}), dropout 0:
 * <pre>
 *   s   = sigmoid(ref_point_head(query_pos))                        reference points [B,Q,2] (x, y), computed once
 *   tgt = 0
 *   for layer i:  p_s = gen_sineembed_for_position(s) · (i == 0 ? 1 : query_scale(tgt))
 *                 tgt = layers.i(tgt, memory, pos, query_pos, p_s, first = (i == 0))
 *                 hidden_i = norm(tgt)                              (the shared decoder norm; tgt itself is not normed)
 * </pre>
 * {@code ref_point_head} is {@code MLP(d, d, 2, 2)}, {@code query_scale} is {@code MLP(d, d, d, 2)}; their parameters
 * and the layers' ({@link ConditionalDecoderLayer}) are named after the reference state_dict under {@code <prefix>}
 * ({@code transformer.decoder} in the full model): {@code ref_point_head.layers.{0,1}}, {@code query_scale.layers.{0,1}},
 * {@code layers.<i>.*}, {@code norm}.
 *
 * <p>Sine embedding ({@link #sineEmbedding}): the reference hard-codes 128 frequencies per coordinate, which only fits
 * d = 256. Here the number of frequencies is {@code d/2} per coordinate (table {@code 10000^(2·⌊k/2⌋/(d/2))}, float32
 * as in the reference), so the embedding is d wide for any d divisible by 4 and identical to the reference at d = 256.
 *
 * <p>Token streams are 2-D and batch-major ({@code [B·Q, d]}, {@code [B·S, d]}), Q and S static, B dynamic.
 */
public final class ConditionalDecoder {
    private ConditionalDecoder() {}

    /**
     * What the decoder produces.
     *
     * @param hidden    one {@code [B·Q, d]} per layer, each after the shared decoder norm
     * @param reference {@code [B·Q, 2]} the reference points (x, y) in [0,1], shared by every layer
     */
    public record Output(List<SDVariable> hidden, SDVariable reference) {}

    /**
     * The sine embedding of reference points for model width d: {@code [..., 2] (x, y) → [..., d] = cat(emb(y), emb(x))},
     * {@code d/2} frequencies per coordinate, temperature 10000, scale 2π.
     *
     * @throws IllegalArgumentException if d is not a positive multiple of 4
     */
    public static SineEmbedding sineEmbedding(long d) {
        if (d < 4 || d % 4 != 0) {
            throw new IllegalArgumentException("conditional_detr needs a hidden dim divisible by 4 (d/2 sine frequencies per "
                    + "coordinate, in sin/cos pairs), got " + d);
        }
        return new SineEmbedding((int) (d / 2), 10000, 2 * Math.PI, List.of(1, 0));
    }

    /**
     * Adds the decoder to the graph.
     *
     * @param queryPos   {@code [B·Q, d]} object queries ({@code query_embed.weight} repeated per image)
     * @param memory     {@code [B·S, d]} encoder output
     * @param memoryBias {@code [B, 1, 1, S]} additive key-padding bias of the memory, or null
     * @param pos        {@code [B·S, d]} positional encoding of the memory
     * @param queries    Q, queries per image
     * @param tokens     S, memory tokens per image
     * @param layers     number of decoder layers L ≥ 1
     * @return the L normed layer outputs and the reference points
     */
    public static Output apply(ParamFactory p, String prefix, SDVariable queryPos, SDVariable memory, SDVariable memoryBias,
                               SDVariable pos, long queries, long tokens, long d, int heads, long ffn, int layers) {
        if (layers < 1) throw new IllegalArgumentException("the decoder needs at least one layer, got " + layers);
        SineEmbedding sine = sineEmbedding(d);
        SameDiff sd = p.sd();
        Init xavier = Init.xavierUniform();
        SDVariable refLogits = Mlp.apply2d(p, prefix + ".ref_point_head", queryPos, d, d, 2, 2, false, xavier);
        SDVariable reference = sd.nn.sigmoid(refLogits);
        SDVariable sineEmbed = sine.embed2d(sd, prefix + ".query_sine_embed", reference);  // [B·Q, d], same for all layers

        SDVariable tgt = sd.zerosLike(queryPos);
        List<SDVariable> hidden = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) {
            SDVariable querySine = i == 0 ? sineEmbed
                    : sineEmbed.mul(queryScale(p, prefix, tgt, d, i));
            tgt = ConditionalDecoderLayer.apply(p, prefix + ".layers." + i, tgt, memory, memoryBias, pos, queryPos, querySine,
                    queries, tokens, d, heads, ffn, i == 0);
            hidden.add(norm(p, prefix + ".norm", tgt, d, i));
        }
        return new Output(List.copyOf(hidden), reference);
    }

    /** {@code query_scale(tgt)}: one MLP shared by the layers (created at layer 1, reused after). */
    private static SDVariable queryScale(ParamFactory p, String prefix, SDVariable tgt, long d, int layer) {
        String name = prefix + ".query_scale";
        if (layer == 1) return Mlp.apply2d(p, name, tgt, d, d, d, 2, false, Init.xavierUniform());
        SameDiff sd = p.sd();
        SDVariable h = Linear.apply2d(sd, tgt, sd.getVariable(name + ".layers.0.weight"), sd.getVariable(name + ".layers.0.bias"));
        return Linear.apply2d(sd, sd.nn.relu(h, 0), sd.getVariable(name + ".layers.1.weight"),
                sd.getVariable(name + ".layers.1.bias"));
    }

    /** The shared decoder norm {@code <prefix>.norm}: created at layer 0, reused after. */
    private static SDVariable norm(ParamFactory p, String name, SDVariable x, long d, int layer) {
        if (layer == 0) return LayerNorm.apply2d(p, name, x, d);
        SameDiff sd = p.sd();
        return LayerNorm.apply2d(x, sd.getVariable(name + ".weight"), sd.getVariable(name + ".bias"));
    }
}
