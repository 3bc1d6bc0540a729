package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.FeatureLevel;
import org.detrdistill.core.backbone.ResNetBackbone;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.model.DecoderQueries;
import org.detrdistill.core.model.DecoderStage;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetrBuilder;
import org.detrdistill.core.model.FeatureMap;
import org.detrdistill.core.model.PositionEncoder;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.nn.Conv2d;
import org.detrdistill.core.nn.GroupNorm;
import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.position.PositionEmbeddingSine;
import org.detrdistill.core.transformer.DeformableGeometry;
import org.detrdistill.core.transformer.DeformableTransformer;
import org.detrdistill.core.transformer.DeformableTransformerConfig;
import org.detrdistill.core.transformer.LevelShapes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * Deformable DETR (fundamentalvision/Deformable-DETR, models/deformable_detr.py {@code DeformableDETR}, single stage)
 * on the base {@link DetrBuilder}:
 * <ul>
 *   <li><b>neck</b>: {@code input_proj.<l>} = 1×1 conv + GroupNorm on the last {@code min(L, 3)} of C3..C5, then
 *       3×3/2 conv + GroupNorm levels, the first on C5, the next on the previous level; state_dict keys
 *       {@code input_proj.<l>.0.{weight,bias}} (conv, Xavier-uniform / 0) and {@code input_proj.<l>.1.{weight,bias}}
 *       (GroupNorm). The reference supports L = 1 (C5 only) or L ≥ 3; L = 2 here takes C4, C5.</li>
 *   <li><b>positional encodings</b>: the sine encoding with the −0.5 pixel-centre offset, per level, plus the learned
 *       {@code transformer.level_embed}.</li>
 *   <li><b>encoder / decoder</b>: {@link DeformableTransformer} under {@code transformer.}, with the valid ratios and
 *       encoder reference points computed in Java per batch ({@value #VALID_RATIOS}, {@value #ENCODER_REFERENCE_POINTS}).</li>
 *   <li><b>queries</b>: {@code query_embed.weight [Q, 2d]} (N(0,1)), split into position and content halves.</li>
 *   <li><b>heads</b>: {@code class_embed.<k>} Linear(d → C) (bias = focal prior) and {@code bbox_embed.<k>} MLP(d, d, 4,
 *       3 layers, last layer 0 with bias (0, 0, −2, −2) at k = 0); box = sigmoid(Δ + inverse_sigmoid(reference)).
 *       Without box refinement the reference shares one head across stages (only {@code *.0.*} parameters exist; a
 *       reference state_dict repeats them as {@code *.<k>.*}, see {@link #loadStateDict}); with
 *       {@code withBoxRefine} stage k has its own heads (initialised as clones, as the reference's {@code _get_clones}),
 *       {@code bbox_embed.<k>} refines the reference boxes and the next stage samples around the detached result.</li>
 * </ul>
 * Outputs: the whole {@link DetectorNames} contract; {@code stage_<k>/reference} is {@code [B,Q,2]} points (no
 * refinement, or stage 0) or {@code [B,Q,4]} boxes. {@code two_stage} is not implemented: requesting it fails.
 */
public final class DeformableDetr extends DetrBuilder {
    /** Placeholder {@code [B, L, 2]}: per level (valid width / W_l, valid height / H_l), fed by {@code DetectorGraph.feeds}. */
    public static final String VALID_RATIOS = "geometry/valid_ratios";
    /** Placeholder {@code [B, S, L, 2]}: the encoder's reference points, fed by {@code DetectorGraph.feeds}. */
    public static final String ENCODER_REFERENCE_POINTS = "geometry/encoder_reference_points";

    private final DeformableOptions options;
    private long seed;
    private LevelShapes levelShapes;
    private DeformableTransformer transformer;

    /**
     * @throws IllegalArgumentException if the config is not a {@code deformable_detr} one or its GroupNorm groups do not
     *                                  divide d
     * @throws UnsupportedOperationException if {@code deformable.twoStage} is set
     */
    public DeformableDetr(DetectorConfig config) {
        super(config);
        if (config.variant() != Variant.DEFORMABLE_DETR) {
            throw new IllegalArgumentException("DeformableDetr needs a deformable_detr config, got " + config.variant());
        }
        this.options = config.deformable();
        if (options.twoStage()) {
            throw new UnsupportedOperationException("deformable.twoStage (encoder proposals as queries) is not implemented; "
                    + "set twoStage to false (single-stage Deformable DETR, with or without withBoxRefine)");
        }
        if (config.hiddenDim() % options.groupNormGroups() != 0) {
            throw new IllegalArgumentException("deformable.groupNormGroups " + options.groupNormGroups()
                    + " must divide hiddenDim " + config.hiddenDim());
        }
    }

    /** The base backbone; also keeps the build seed for the transformer's own draws (the base does not store it). */
    @Override
    protected ResNetBackbone backbone(long seed) {
        this.seed = seed;
        return super.backbone(seed);
    }

    /** Deformable DETR's sine encoding: {@code (cumsum − 0.5) / (extent + 1e-6) · 2π}, d/2 features per axis. */
    @Override
    protected PositionEncoder positionEncoder() {
        return (mask, dim) -> PositionEmbeddingSine.deformable(dim / 2).embed(mask, mask.dataType());
    }

    @Override
    protected List<FeatureMap> neck(ResNetBackbone backbone) {
        int d = config.hiddenDim(), g = options.groupNormGroups(), total = options.numLevels();
        int fromBackbone = Math.min(total, 3);
        List<FeatureLevel> c = backbone.levels().subList(4 - fromBackbone, 4);
        List<FeatureMap> out = new ArrayList<>();
        int[] heights = new int[total], widths = new int[total];
        for (int l = 0; l < fromBackbone; l++) {
            FeatureLevel f = c.get(l);
            SDVariable x = Conv2d.apply(params, "input_proj." + l + ".0", f.output(), f.channels(), d, 1, 1, 0, true,
                    Init.xavierUniform(), Init.zeros());
            x = GroupNorm.apply(params, "input_proj." + l + ".1", x, d, g);
            out.add(level(l, f::outputSize, f.stride(), x, heights, widths));
        }
        FeatureLevel c5 = c.get(c.size() - 1);
        LongUnaryOperator size = c5::outputSize;
        SDVariable prev = c5.output();
        int prevChannels = c5.channels(), stride = c5.stride();
        for (int l = fromBackbone; l < total; l++) {
            LongUnaryOperator inner = size;
            size = n -> Conv2d.outputSize(inner.applyAsLong(n), 3, 2, 1);
            stride *= 2;
            SDVariable x = Conv2d.apply(params, "input_proj." + l + ".0", prev, prevChannels, d, 3, 2, 1, true,
                    Init.xavierUniform(), Init.zeros());
            x = GroupNorm.apply(params, "input_proj." + l + ".1", x, d, g);
            out.add(level(l, size, stride, x, heights, widths));
            prev = x;
            prevChannels = d;
        }
        levelShapes = new LevelShapes(heights, widths);
        return out;
    }

    private FeatureMap level(int l, LongUnaryOperator size, int stride, SDVariable x, int[] heights, int[] widths) {
        heights[l] = Math.toIntExact(size.applyAsLong(config.inputHeight()));
        widths[l] = Math.toIntExact(size.applyAsLong(config.inputWidth()));
        return levelPlaceholders(l, size, stride, true, x);
    }

    @Override
    protected SDVariable encoder(List<FeatureMap> levels) {
        int l = levels.size();
        transformer = new DeformableTransformer(params, "transformer.", DeformableTransformerConfig.from(config), levelShapes, seed);
        LevelShapes shapes = levelShapes;
        SDVariable ratios = geometryPlaceholder(VALID_RATIOS,
                feeds -> DeformableGeometry.validRatios(levelMasks(feeds, l), DataType.DOUBLE), -1, l, 2);
        SDVariable reference = geometryPlaceholder(ENCODER_REFERENCE_POINTS,
                feeds -> DeformableGeometry.encoderReferencePoints(shapes,
                        DeformableGeometry.validRatios(levelMasks(feeds, l), DataType.FLOAT), DataType.DOUBLE),
                -1, shapes.totalSize(), l, 2);
        return transformer.encode(levels.stream().map(FeatureMap::features).toList(),
                levels.stream().map(FeatureMap::mask).toList(), levels.stream().map(FeatureMap::pos).toList(), ratios, reference);
    }

    private static List<INDArray> levelMasks(Map<String, INDArray> feeds, int levels) {
        List<INDArray> masks = new ArrayList<>();
        for (int i = 0; i < levels; i++) masks.add(feeds.get(DetectorNames.level(i) + "mask"));
        return masks;
    }

    /** {@code query_embed.weight [Q, 2d]} (N(0,1)): position ‖ content. */
    @Override
    protected SDVariable queries() {
        return params.create("query_embed.weight", Init.normal(1.0), config.numQueries(), 2L * config.hiddenDim());
    }

    @Override
    protected String queryForm() {
        return "[Q, 2d] = query_pos ‖ tgt (query_embed), d = " + config.hiddenDim();
    }

    /**
     * The deformable decoder and heads on {@code queries} ({@code [Q,2d]} own or {@code [1|B,Qg,2d]} of a group): split
     * into {@code query_pos ‖ tgt}, reference points {@code sigmoid(reference_points(query_pos))}.
     */
    @Override
    protected List<DecoderStage> decoder(List<FeatureMap> levels, SDVariable memory, DecoderQueries queries) {
        boolean refine = options.withBoxRefine();
        DeformableTransformer.Decoded dec = transformer.decode(memory, queries.embed(), !queries.isOwn(), refine ? this::boxDelta : null);
        sd.identity(DetectorNames.INIT_REFERENCE, dec.initReference());
        List<DecoderStage> stages = new ArrayList<>();
        for (int k = 0; k < dec.stages().size(); k++) {
            DeformableTransformer.Stage s = dec.stages().get(k);
            SDVariable boxes = refine ? s.refinedBoxes() : DeformableTransformer.boxes(boxDelta(k, s.hidden()), s.reference(), false);
            stages.add(new DecoderStage(s.hidden(), s.reference(), classLogits(k, s.hidden()), boxes));
        }
        return stages;
    }

    // ------------------------------------------------------------------------------------------------------ weights

    /**
     * Loads an official Deformable DETR state_dict (e.g. converted from a {@code .pth} checkpoint to {@code .npy}
     * files) into a graph built by this class. Keys that are aliases of one tensor in PyTorch are checked to be equal
     * and loaded once: without box refinement {@code class_embed.<k>.*} / {@code bbox_embed.<k>.*} (k > 0) repeat
     * {@code *.0.*} (the reference's shared {@code ModuleList}); with it, {@code transformer.decoder.bbox_embed.*}
     * repeats {@code bbox_embed.*}. Everything else goes through {@link DetectorGraph#loadStateDict}.
     *
     * @throws IllegalArgumentException naming the alias key whose value differs from its original (e.g. a box-refine
     *                                  checkpoint loaded into a shared-heads graph), or listing unknown/missing keys
     */
    public static WeightLoader.Report loadStateDict(DetectorGraph graph, StateDict state) {
        if (graph.config().variant() != Variant.DEFORMABLE_DETR) {
            throw new IllegalArgumentException("loadStateDict: graph is a " + graph.config().variant() + ", not deformable_detr");
        }
        boolean refine = graph.config().deformable().withBoxRefine();
        Map<String, INDArray> kept = new TreeMap<>();
        for (Map.Entry<String, INDArray> e : state.asMap().entrySet()) {
            String key = e.getKey(), original = null;
            if (key.startsWith("transformer.decoder.bbox_embed.") || key.startsWith("transformer.decoder.class_embed.")) {
                original = key.substring("transformer.decoder.".length());
            } else if (!refine && key.matches("(class|bbox)_embed\\.[1-9]\\d*\\..*")) {
                original = key.replaceFirst("_embed\\.\\d+\\.", "_embed.0.");
            }
            if (original == null) {
                kept.put(key, e.getValue());
                continue;
            }
            INDArray o = state.get(original);
            if (o == null || !o.equalsWithEps(e.getValue(), 0.0)) {
                throw new IllegalArgumentException("cannot load " + state.source() + ": '" + key + "' should repeat '" + original
                        + "' (a shared module in the reference) but " + (o == null ? "'" + original + "' is missing"
                        : "differs from it" + (refine ? "" : "; was this checkpoint trained with withBoxRefine?")));
            }
        }
        return graph.loadStateDict(new StateDict(kept, state.source()));
    }

    // ------------------------------------------------------------------------------------------------------ heads

    /** {@code class_embed.<k>} (or the shared {@code class_embed.0}) on {@code hidden [B,Q,d]} → {@code [B,Q,C]}. */
    private SDVariable classLogits(int stage, SDVariable hidden) {
        int k = headIndex(stage), d = config.hiddenDim(), c = config.numClasses();
        String name = "class_embed." + k;
        SDVariable w = head(name + ".weight", Init.torchDefault(d), k, c, d);
        SDVariable b = head(name + ".bias", Init.constant(-Math.log((1 - PRIOR_PROB) / PRIOR_PROB)), k, c);
        return Linear.apply(sd, hidden, w, b, d, c);
    }

    /** {@code bbox_embed.<k>} (or the shared {@code bbox_embed.0}) on {@code hidden [B,Q,d]} → raw deltas {@code [B,Q,4]}. */
    private SDVariable boxDelta(int stage, SDVariable hidden) {
        int k = headIndex(stage), d = config.hiddenDim();
        SDVariable h = hidden;
        for (int j = 0; j < 3; j++) {
            boolean last = j == 2;
            long out = last ? 4 : d;
            String name = "bbox_embed." + k + ".layers." + j;
            SDVariable w = head(name + ".weight", last ? Init.zeros() : Init.torchDefault(d), k, out, d);
            // the reference sets the last bias's (w, h) part to −2 on bbox_embed[0] only, after cloning
            Init biasInit = !last ? Init.torchDefault(d)
                    : k == 0 ? (v, shape, rng) -> { v[0] = 0; v[1] = 0; v[2] = -2; v[3] = -2; } : Init.zeros();
            SDVariable b = last ? headFresh(name + ".bias", biasInit, out) : head(name + ".bias", biasInit, k, out);
            h = Linear.apply(sd, h, w, b, d, out);
            if (!last) h = sd.nn.relu(h, 0);
        }
        return h;
    }

    private int headIndex(int stage) { return options.withBoxRefine() ? stage : 0; }

    /**
     * The head parameter {@code name}: reused if it exists (shared heads), a clone of its stage-0 counterpart for
     * stages k > 0 (the reference's {@code _get_clones}), else freshly initialised.
     */
    private SDVariable head(String name, Init init, int k, long... shape) {
        if (sd.hasVariable(name)) return sd.getVariable(name);
        if (k > 0) return params.create(name, sd.getVariable(name.replaceFirst("_embed\\.\\d+\\.", "_embed.0.")).getArr());
        return params.create(name, init, shape);
    }

    private SDVariable headFresh(String name, Init init, long... shape) {
        return sd.hasVariable(name) ? sd.getVariable(name) : params.create(name, init, shape);
    }
}
