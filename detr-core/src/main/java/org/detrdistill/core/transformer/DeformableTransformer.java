package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Detach;
import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.InverseSigmoid;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.ParamFactory;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;

/**
 * Deformable DETR's {@code DeformableTransformer} (fundamentalvision/Deformable-DETR, models/deformable_transformer.py;
 * single stage) as a SameDiff builder: {@link #encode} flattens the levels, adds the level embedding to the positional
 * encodings and runs the {@link DeformableEncoderLayer}s; {@link #decode} splits the query embedding into
 * {@code query_pos ‖ tgt}, predicts the initial reference points and runs the {@link DeformableDecoderLayer}s,
 * returning every layer's output (the reference's {@code return_intermediate_dec=True}).
 *
 * <p>Parameters under {@code <prefix>} ({@code "transformer."} in the detector, {@code ""} for the bare module):
 * {@code level_embed [L, d]} (N(0, 1)), {@code encoder.layers.<i>.*}, {@code decoder.layers.<i>.*},
 * {@code reference_points.{weight [2, d], bias [2]}} (Xavier-uniform, 0).
 *
 * <p>Box refinement ({@code with_box_refine}): after decoder layer k, with {@code Δ = bbox_embed[k](out_k)},
 * {@code box_k = sigmoid(Δ + inverse_sigmoid(ref_k))} (only the (x, y) part of Δ for the 2-d initial points) and
 * {@code ref_{k+1} = box_k.detach()}, a 4-d box; the sampling offsets of later layers are then scaled by the box size.
 *
 * <p>The level shapes are fixed when the graph is built; B is dynamic. Use one instance per graph, {@link #encode}
 * before {@link #decode}.
 */
public final class DeformableTransformer {

    /** The box-refinement head of each decoder layer ({@code bbox_embed[k]}), or none. */
    @FunctionalInterface
    public interface BoxRefinement {
        /**
         * @param layer  decoder layer k
         * @param hidden {@code [B, Q, d]} the layer's output
         * @return {@code [B, Q, 4]} raw box deltas (before the inverse-sigmoid offset and the sigmoid)
         */
        SDVariable delta(int layer, SDVariable hidden);
    }

    /**
     * One decoder layer's results.
     *
     * @param hidden       {@code [B, Q, d]} the layer's output ({@code hs[k]})
     * @param reference    {@code [B, Q, 2|4]} the reference points (layer 0, or without refinement) or boxes the layer
     *                     sampled around, normalised, before the valid-ratio scaling
     * @param refinedBoxes {@code [B, Q, 4]} cxcywh {@code box_k} (not detached) with refinement, else null
     */
    public record Stage(SDVariable hidden, SDVariable reference, SDVariable refinedBoxes) {}

    /**
     * The decoder's results.
     *
     * @param queryPos      {@code [B, Q, d]} positional half of the query embedding
     * @param target        {@code [B, Q, d]} content half (the first layer's input)
     * @param initReference {@code [B, Q, 2]} {@code sigmoid(reference_points(query_pos))}
     * @param stages        one per decoder layer
     */
    public record Decoded(SDVariable queryPos, SDVariable target, SDVariable initReference, List<Stage> stages) {}

    private final ParamFactory p;
    private final SameDiff sd;
    private final String prefix;
    private final DeformableTransformerConfig cfg;
    private final LevelShapes levels;
    private final long seed;
    private SDVariable maskFlatten;
    private SDVariable validRatios;

    /**
     * @param prefix parameter-name prefix, e.g. {@code "transformer."} or {@code ""}
     * @param levels the static level shapes; {@code levels.levels()} must equal {@code cfg.numLevels()}
     * @param seed   seed of the Xavier re-draw of the decoder self-attention {@code out_proj.weight} (every other
     *               parameter is drawn by {@code p})
     */
    public DeformableTransformer(ParamFactory p, String prefix, DeformableTransformerConfig cfg, LevelShapes levels, long seed) {
        if (levels.levels() != cfg.numLevels()) {
            throw new IllegalArgumentException("DeformableTransformer: " + levels + " has " + levels.levels()
                    + " levels, config numLevels is " + cfg.numLevels());
        }
        this.p = p;
        this.sd = p.sd();
        this.prefix = prefix;
        this.cfg = cfg;
        this.levels = levels;
        this.seed = seed;
    }

    /**
     * The encoder.
     *
     * @param srcs            per level {@code [B, d, H_l, W_l]} features
     * @param masks           per level {@code [B, H_l, W_l]} padding masks, 1 = padding
     * @param pos             per level {@code [B, d, H_l, W_l]} positional encodings (without level embedding)
     * @param validRatios     {@code [B, L, 2]} ({@link DeformableGeometry#validRatios})
     * @param referencePoints {@code [B, S, L, 2]} ({@link DeformableGeometry#encoderReferencePoints})
     * @return memory {@code [B, S, d]}, S = Σ H_l·W_l, levels concatenated, each row-major
     */
    public SDVariable encode(List<SDVariable> srcs, List<SDVariable> masks, List<SDVariable> pos, SDVariable validRatios,
                             SDVariable referencePoints) {
        int l = cfg.numLevels();
        if (srcs.size() != l || masks.size() != l || pos.size() != l) {
            throw new IllegalArgumentException("encode: expected " + l + " levels of srcs/masks/pos, got " + srcs.size() + "/"
                    + masks.size() + "/" + pos.size());
        }
        if (maskFlatten != null) throw new IllegalStateException("encode was already called on this DeformableTransformer");
        long d = cfg.dModel();
        SDVariable levelEmbed = p.create(prefix + "level_embed", Init.normal(1.0), l, d);
        List<SDVariable> src = new ArrayList<>(), lvlPos = new ArrayList<>(), mask = new ArrayList<>();
        for (int i = 0; i < l; i++) {
            long hw = (long) levels.height(i) * levels.width(i);
            src.add(flatten(srcs.get(i), hw));
            lvlPos.add(flatten(pos.get(i), hw).add(levelEmbed.get(SDIndex.point(i))));
            mask.add(sd.reshape(masks.get(i), -1, hw));
        }
        SDVariable x = concat(src), posFlat = concat(lvlPos);
        this.maskFlatten = concat(mask);
        this.validRatios = validRatios;
        for (int i = 0; i < cfg.encoderLayers(); i++) {
            x = DeformableEncoderLayer.apply(p, prefix + "encoder.layers." + i, cfg, x, posFlat, referencePoints, levels,
                    maskFlatten);
        }
        return x;
    }

    /**
     * The decoder. May run more than once on one encoder output (e.g. for an extra query group, with the
     * {@link ParamFactory} sharing its parameters).
     *
     * @param memory     {@code [B, S, d]} from {@link #encode}
     * @param queryEmbed {@code [Q, 2d]} the learned queries: {@code query_pos = [:, :d]}, {@code tgt = [:, d:]}
     * @param refine     the box-refinement heads, or null (reference points stay the initial ones)
     */
    public Decoded decode(SDVariable memory, SDVariable queryEmbed, BoxRefinement refine) {
        return decode(memory, queryEmbed, false, refine);
    }

    /**
     * The decoder on shared ({@code [Q, 2d]}) or per-image ({@code [1|B, Q, 2d]}, {@code perImage}) queries, split into
     * {@code query_pos ‖ tgt} along the last axis. See {@link #decode(SDVariable, SDVariable, BoxRefinement)}.
     */
    public Decoded decode(SDVariable memory, SDVariable queryEmbed, boolean perImage, BoxRefinement refine) {
        if (maskFlatten == null) throw new IllegalStateException("call encode before decode");
        long d = cfg.dModel();
        SDVariable posQ = perImage ? queryEmbed.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(0L, d))   // [1|B, Q, d]
                : queryEmbed.get(SDIndex.all(), SDIndex.interval(0L, d));                                     // [Q, d]
        SDVariable tgtQ = perImage ? queryEmbed.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(d, 2 * d))
                : queryEmbed.get(SDIndex.all(), SDIndex.interval(d, 2 * d));
        // [B,1,1] zeros from a placeholder: broadcasts the queries over the (dynamic) batch
        SDVariable batchZeros = validRatios.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.interval(0, 1)).mul(0.0);
        SDVariable queryPos = (perImage ? posQ : sd.expandDims(posQ, 0)).add(batchZeros);
        SDVariable tgt = (perImage ? tgtQ : sd.expandDims(tgtQ, 0)).add(batchZeros);
        SDVariable refQ = sd.nn.sigmoid(Linear.apply(p, prefix + "reference_points", posQ, d, 2, true, Init.xavierUniform(), Init.zeros()));
        SDVariable initReference = (perImage ? refQ : sd.expandDims(refQ, 0)).add(batchZeros);   // [B, Q, 2]

        SDVariable ratiosPoints = sd.expandDims(validRatios, 1);                                 // [B, 1, L, 2]
        SDVariable ratiosBoxes = sd.expandDims(sd.concat(2, validRatios, validRatios), 1);       // [B, 1, L, 4]
        SDVariable out = tgt, ref = initReference;
        boolean boxes = false;
        List<Stage> stages = new ArrayList<>();
        for (int k = 0; k < cfg.decoderLayers(); k++) {
            SDVariable refInput = sd.expandDims(ref, 2).mul(boxes ? ratiosBoxes : ratiosPoints);  // [B, Q, L, 2|4]
            out = DeformableDecoderLayer.apply(p, prefix + "decoder.layers." + k, cfg, out, queryPos, refInput,
                    boxes ? MSDeformAttn.Reference.BOXES : MSDeformAttn.Reference.POINTS, memory, levels, maskFlatten,
                    seed + 1000L * k);
            SDVariable refined = null;
            SDVariable used = ref;
            if (refine != null) {
                refined = boxes(refine.delta(k, out), ref, boxes);
                ref = Detach.apply(null, refined);
                boxes = true;
            }
            stages.add(new Stage(out, used, refined));
        }
        return new Decoded(queryPos, tgt, initReference, List.copyOf(stages));
    }

    /**
     * The references' box decoding: {@code sigmoid(delta + inverse_sigmoid(reference))}, where a 2-d reference point
     * offsets only the (cx, cy) part of {@code delta}.
     *
     * @param delta     {@code [B, Q, 4]} raw box-head output
     * @param reference {@code [B, Q, 4]} boxes if {@code fourD}, else {@code [B, Q, 2]} points; normalised
     * @return {@code [B, Q, 4]} cxcywh normalised
     */
    public static SDVariable boxes(SDVariable delta, SDVariable reference, boolean fourD) {
        SameDiff sd = delta.getSameDiff();
        if (fourD) return sd.nn.sigmoid(delta.add(InverseSigmoid.apply(reference)));
        SDVariable[] parts = sd.split(delta, 2, 2);
        return sd.nn.sigmoid(sd.concat(2, parts[0].add(InverseSigmoid.apply(reference)), parts[1]));
    }

    /** The level shapes this transformer was built for. */
    public LevelShapes levels() { return levels; }

    /** {@code [B, d, H, W] → [B, H·W, d]}. */
    private SDVariable flatten(SDVariable x, long hw) {
        return sd.reshape(sd.permute(x, 0, 2, 3, 1), -1, hw, cfg.dModel());
    }

    private SDVariable concat(List<SDVariable> parts) {
        return parts.size() == 1 ? parts.get(0) : sd.concat(1, parts.toArray(new SDVariable[0]));
    }
}
