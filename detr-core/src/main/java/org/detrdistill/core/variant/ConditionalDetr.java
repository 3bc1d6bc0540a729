package org.detrdistill.core.variant;

import org.detrdistill.core.model.DecoderQueries;
import org.detrdistill.core.model.DecoderStage;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetrBuilder;
import org.detrdistill.core.model.FeatureMap;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.nn.Init;
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
     * group), on 2-D token streams: the queries are the positional queries {@code query_pos} (reference points from
     * them), content starts at 0.
     */
    @Override
    protected List<DecoderStage> decoder(List<FeatureMap> levels, SDVariable memory, DecoderQueries queries) {
        long d = config.hiddenDim(), s = tokens(levels);
        int q = queries.count(), stages = config.decoderLayers();
        SDVariable pos = positions2d(levels), bias = keyPaddingBias(levels);                              // [B·S,d], [B,1,1,S]

        SDVariable perImage = sd.reshape(bias.sum(true, 3).mul(0.0), -1, 1, 1);                          // [B,1,1] zeros
        SDVariable queryPos = sd.reshape(perImage.add(queries.embed()), -1, d);                           // [B·Q,d]

        ConditionalDecoder.Output out = ConditionalDecoder.apply(params, DECODER, queryPos, sd.reshape(memory, -1, d), bias,
                pos, q, s, d, config.heads(), config.ffnDim(), stages);
        SDVariable reference2d = out.reference();                                                         // [B·Q,2]
        SDVariable reference = sd.identity(DetectorNames.INIT_REFERENCE, sd.reshape(reference2d, -1, q, 2));

        // shared heads on all stages at once: [L·B·Q, d], stage-major
        SDVariable hidden = stages == 1 ? out.hidden().get(0) : sd.concat(0, out.hidden().toArray(new SDVariable[0]));
        SDVariable logits = sd.reshape(classHead("class_embed", hidden), -1, q, config.numClasses());       // [L·B,Q,C]
        SDVariable delta = boxHead("bbox_embed", hidden);                                                 // [L·B·Q,4]
        SDVariable offset = sd.concat(1, inverseSigmoid(reference2d), sd.zerosLike(reference2d));          // [B·Q,4]
        SDVariable offsets = stages == 1 ? offset : sd.concat(0, Collections.nCopies(stages, offset).toArray(new SDVariable[0]));
        SDVariable boxes = sd.reshape(sd.nn.sigmoid(delta.add(offsets)), -1, q, 4);                        // [L·B,Q,4]

        SDVariable[] logitsPerStage = stages == 1 ? new SDVariable[]{logits} : sd.split(logits, stages, 0);
        SDVariable[] boxesPerStage = stages == 1 ? new SDVariable[]{boxes} : sd.split(boxes, stages, 0);
        List<DecoderStage> result = new ArrayList<>(stages);
        for (int k = 0; k < stages; k++) {
            SDVariable stageHidden = sd.reshape(out.hidden().get(k), -1, q, d);
            result.add(new DecoderStage(stageHidden, reference, logitsPerStage[k], boxesPerStage[k]));
        }
        return result;
    }
}
