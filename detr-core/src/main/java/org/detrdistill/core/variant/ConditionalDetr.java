package org.detrdistill.core.variant;

import org.detrdistill.core.model.DecoderQueries;
import org.detrdistill.core.model.DecoderStage;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetrBuilder;
import org.detrdistill.core.model.FeatureMap;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.MultiheadAttention;
import org.detrdistill.core.nn.Shapes;
import org.detrdistill.core.transformer.ConditionalDecoder;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Conditional DETR (Atten4Vis/ConditionalDETR {@code models/conditional_detr.py}) on the base builder. It inherits
 * DETR's steps — ResNet backbone, {@code input_proj} (1×1 conv on C5, one level), post-norm encoder, class head with
 * the focal prior bias, 3-layer box MLP — and adds the conditional decoder:
 * <pre>
 *   query_pos   = query_embed.weight [Q,d] repeated per image                        (nn.Embedding init N(0,1))
 *   hidden_k, s = transformer.decoder(query_pos, memory, pos)                         ({@link ConditionalDecoder})
 *   logits_k    = class_embed(hidden_k)                                               [B,Q,C]
 *   boxes_k     = sigmoid(bbox_embed(hidden_k) + [inverse_sigmoid(s), 0, 0])          [B,Q,4] cxcywh
 * </pre>
 * The heads are shared by all stages, as in the reference (one {@code class_embed}, one {@code bbox_embed}); they run
 * once on the stages stacked along the batch axis. The reference points {@code s} are the same for every stage: they
 * are exposed as {@code init_reference} and as each {@code stage_<k>/reference}. Positional encodings are the base
 * builder's: DETR's {@code PositionEmbeddingSine(d/2, normalize=True)} without the −0.5 offset, as the reference
 * ({@code models/position_encoding.py}), computed in Java per batch.
 *
 * <p>Parameter names are the reference state_dict keys ({@code backbone.0.body.*}, {@code input_proj.*},
 * {@code transformer.encoder.layers.<i>.*}, {@code transformer.decoder.*}, {@code query_embed.weight},
 * {@code class_embed.*}, {@code bbox_embed.layers.<j>.*}), so a reference checkpoint loads by name with
 * {@code DetectorGraph.loadStateDict}.
 */
public final class ConditionalDetr extends DetrBuilder {
    /** Prefix of the decoder's parameters, as in the reference state_dict. */
    public static final String DECODER = "transformer.decoder";
    /** The learned object queries, {@code [Q, d]}. */
    public static final String QUERY_EMBED_WEIGHT = "query_embed.weight";

    /** {@code [B,S,d]} memory positions and {@code [B,1,1,S]} key-padding bias, built by the first decoder pass. */
    private SDVariable pos, bias;

    /**
     * @throws IllegalArgumentException if {@code config} is not a {@link Variant#CONDITIONAL_DETR} configuration
     */
    public ConditionalDetr(DetectorConfig config) {
        super(config);
        if (config.variant() != Variant.CONDITIONAL_DETR) {
            throw new IllegalArgumentException("ConditionalDetr builds variant " + Variant.CONDITIONAL_DETR + ", config is " + config.variant());
        }
        ConditionalDecoder.sineEmbedding(config.hiddenDim()); // validates d
    }

    /** {@code query_embed.weight [Q, d]} (N(0,1)): the positional queries. */
    @Override
    protected SDVariable queries() {
        return params.create(QUERY_EMBED_WEIGHT, Init.normal(1.0), config.numQueries(), config.hiddenDim());
    }

    @Override
    protected String queryForm() {
        return "[Q, d] positional queries (query_embed), d = " + config.hiddenDim();
    }

    /**
     * The conditional decoder and the shared heads on {@code queries} ({@code [Q,d]} own or {@code [1|B,Qg,d]} of a
     * group): the queries are the positional queries {@code query_pos} (reference points from them), content starts at 0.
     */
    @Override
    protected List<DecoderStage> decoder(List<FeatureMap> levels, SDVariable memory, DecoderQueries queries) {
        long d = config.hiddenDim();
        int q = queries.count(), stages = config.decoderLayers();
        if (pos == null) {   // query-independent: once, shared with query groups
            pos = flattenLevels(levels, FeatureMap::pos);
            bias = MultiheadAttention.keyPaddingBias(sd, flattenMasks(levels));
        }
        SDVariable batch = Shapes.size(sd, memory, 0);
        SDVariable queryPos = sd.fill(Shapes.of(sd, batch, (long) q, d), dataType, 0.0).add(queries.embed());   // [B,Q,d]

        ConditionalDecoder.Output out = ConditionalDecoder.apply(params, DECODER, queryPos, memory, bias, pos, d,
                config.heads(), config.ffnDim(), stages);
        SDVariable reference = out.reference();                                                            // [B,Q,2]
        sd.identity(DetectorNames.INIT_REFERENCE, reference);

        // shared heads on all stages at once: [L·B, Q, d]
        SDVariable hidden = stages == 1 ? out.hidden().get(0) : sd.concat(0, out.hidden().toArray(new SDVariable[0]));
        SDVariable logits = classHead("class_embed", hidden);
        SDVariable delta = boxHead("bbox_embed", hidden);
        SDVariable offset = sd.concat(2, inverseSigmoid(reference), sd.zerosLike(reference));             // [B,Q,4]
        SDVariable offsets = stages == 1 ? offset : sd.concat(0, Collections.nCopies(stages, offset).toArray(new SDVariable[0]));
        SDVariable boxes = sd.nn.sigmoid(delta.add(offsets));

        SDVariable[] logitsPerStage = stages == 1 ? new SDVariable[]{logits} : sd.split(logits, stages, 0);
        SDVariable[] boxesPerStage = stages == 1 ? new SDVariable[]{boxes} : sd.split(boxes, stages, 0);
        List<DecoderStage> result = new ArrayList<>(stages);
        for (int k = 0; k < stages; k++) {
            result.add(new DecoderStage(out.hidden().get(k), reference, logitsPerStage[k], boxesPerStage[k]));
        }
        return result;
    }
}
