package org.detrdistill.core.model;

import org.detrdistill.core.backbone.FeatureLevel;
import org.detrdistill.core.backbone.ResNetBackbone;
import org.detrdistill.core.nn.Conv2d;
import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.Mlp;
import org.detrdistill.core.nn.MultiheadAttention;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.position.PositionEmbeddingSine;
import org.detrdistill.core.transformer.EncoderLayer;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * The base detector builder. It runs the steps every DETR-family detector shares, in order:
 * <pre>
 *   inputs → backbone → neck → encoder → queries → decoder (stages, each with its heads) → named outputs
 * </pre>
 * and gives DETR's choices for each: a 1×1 {@code input_proj} on C5 as the neck, the post-norm transformer encoder,
 * a class {@code Linear(d → C)} with the focal prior bias and a 3-layer box MLP as heads. Variants
 * ({@code variant.ConditionalDetr}, {@code variant.DeformableDetr}, {@code variant.AdaMixer}) override the steps that
 * differ and inherit the rest; they never copy a step.
 *
 * <p>Whatever the variant, {@link #build} exposes the {@link DetectorNames} contract. A builder instance builds one
 * graph; create a new one per graph.
 *
 * <p><b>Extra query groups.</b> The graph keeps this builder as the hook behind {@link DetectorGraph#addQueryGroup}:
 * it runs {@link #decoder} (queries → stages → heads) a second time on other queries, with every parameter shared
 * ({@link ParamFactory#share()}) and the group's intermediate names under the SameDiff name scope of the group, and
 * exposes the group's stage outputs as {@code <group>/stage_<k>/...}. So a variant supports query groups by writing
 * its {@link #decoder} for both forms of {@link DecoderQueries} (its own {@code [Q,dq]}, a group's
 * {@code [1|B,Qg,dq]}) and by preparing query-independent decoder inputs once; nothing else is duplicated.
 */
public abstract class DetrBuilder {
    /** Prior probability of the class-logit bias init: {@code bias = −log((1 − p)/p)}. */
    public static final double PRIOR_PROB = 0.01;

    protected final DetectorConfig config;
    protected SameDiff sd;
    protected ParamFactory params;
    protected DataType dataType;
    /** {@code [B,3,H,W]} input images. */
    protected SDVariable images;
    /** {@code [B,H,W]} pixel mask, 1 = padding. */
    protected SDVariable pixelMask;
    protected ResNetBackbone backbone;
    /** Geometry the Java side computes per batch, declared by {@link #levelPlaceholders}. */
    protected final List<LevelGeometry> geometry = new ArrayList<>();
    /** Variant-specific per-batch geometry, declared by {@link #geometryPlaceholder}. */
    protected final List<GeometryFeed> geometryFeeds = new ArrayList<>();
    /** The neck outputs and the encoder output, kept for the passes of extra query groups. */
    private List<FeatureMap> levels;
    private SDVariable memory;
    private int queryWidth;
    private SDVariable positions2d;
    private SDVariable keyPaddingBias;

    protected DetrBuilder(DetectorConfig config) {
        this.config = config;
    }

    /**
     * Builds the graph.
     *
     * @param dataType FLOAT for training, DOUBLE for gradient checks and parity tests
     * @param seed     seed of every parameter initialisation
     */
    public final DetectorGraph build(DataType dataType, long seed) {
        if (sd != null) throw new IllegalStateException("a DetrBuilder builds one graph; create a new builder");
        this.dataType = dataType;
        this.sd = SameDiff.create();
        this.params = new ParamFactory(sd, dataType, seed);
        inputs();
        backbone = backbone(seed);
        List<FeatureMap> levels = neck(backbone);
        for (FeatureMap f : levels) sd.identity(DetectorNames.feature(f.level()), f.features());
        SDVariable memory = encoder(levels);
        sd.identity(DetectorNames.MEMORY, memory);
        SDVariable queryEmbed = queries();
        long[] queryShape = queryEmbed.getShape();
        if (queryShape == null || queryShape.length != 2 || queryShape[0] != config.numQueries()) {
            throw new IllegalStateException(getClass().getSimpleName() + ".queries() must return a [" + config.numQueries()
                    + ", dq] parameter, got shape " + java.util.Arrays.toString(queryShape));
        }
        sd.identity(DetectorNames.QUERY_EMBED, queryEmbed);
        this.levels = List.copyOf(levels);
        this.memory = memory;
        this.queryWidth = Math.toIntExact(queryShape[1]);
        List<DecoderStage> stages = stages(DecoderQueries.own(queryEmbed, config.numQueries()));
        for (int k = 0; k < stages.size(); k++) {
            DecoderStage s = stages.get(k);
            sd.identity(DetectorNames.stageHidden(k), s.hidden());
            sd.identity(DetectorNames.stageLogits(k), s.logits());
            sd.identity(DetectorNames.stageBoxes(k), s.boxes());
            if (s.reference() != null) sd.identity(DetectorNames.stageReference(k), s.reference());
        }
        DecoderStage last = stages.get(stages.size() - 1);
        sd.identity(DetectorNames.LOGITS, last.logits());
        sd.identity(DetectorNames.BOXES, last.boxes());
        return new DetectorGraph(config, sd, dataType, List.copyOf(geometry), params.convKernels(), backbone, positionEncoder(),
                List.copyOf(geometryFeeds), this::addQueryGroup, queryWidth);
    }

    private List<DecoderStage> stages(DecoderQueries queries) {
        List<DecoderStage> stages = decoder(levels, memory, queries);
        if (stages.size() != config.decoderLayers()) {
            throw new IllegalStateException(getClass().getSimpleName() + " built " + stages.size() + " stages, config says " + config.decoderLayers());
        }
        return stages;
    }

    /**
     * The hook behind {@link DetectorGraph#addQueryGroup}: the decoder and heads once more on {@code queries}, parameters
     * shared, intermediates in the name scope {@code group}; the stage outputs exposed as {@code <group>/stage_<k>/...}.
     *
     * @param queries {@code [Qg, dq]} or {@code [1|B, Qg, dq]} in this detector's query form
     */
    final QueryGroup addQueryGroup(String group, SDVariable queries, int numQueries) {
        if (group == null || !group.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("query group name must match [A-Za-z0-9_]+, got '" + group + "'");
        }
        if (sd.hasVariable(DetectorNames.inGroup(group, DetectorNames.stageLogits(0)))) {
            throw new IllegalArgumentException("the graph already has a query group '" + group + "'");
        }
        if (queries.getSameDiff() != sd) throw new IllegalArgumentException("the queries of group '" + group + "' belong to another graph");
        if (!queries.dataType().equals(dataType)) {
            throw new IllegalArgumentException("the queries of group '" + group + "' are " + queries.dataType() + ", the detector is " + dataType);
        }
        long[] shape = queries.getShape();   // known for placeholders and variables, null for op outputs
        if (shape != null) {
            if (shape.length != 2 && shape.length != 3) {
                throw new IllegalArgumentException("the queries of group '" + group + "' must be [Qg, dq] or [1|B, Qg, dq], got "
                        + java.util.Arrays.toString(shape));
            }
            long width = shape[shape.length - 1];
            if (width >= 0 && width != queryWidth) {
                throw new IllegalArgumentException("the queries of group '" + group + "' are " + width + " wide, but " + config.variant()
                        + " queries are " + queryWidth + " wide (the query_embed form: " + queryForm() + "); adapt them first");
            }
            long q = shape[shape.length - 2];
            if (q >= 0 && q != numQueries) {
                throw new IllegalArgumentException("query group '" + group + "': numQueries " + numQueries + " does not fit the queries' shape "
                        + java.util.Arrays.toString(shape));
            }
        }
        if (numQueries < 1) throw new IllegalArgumentException("query group '" + group + "' needs >= 1 query, got " + numQueries);
        SDVariable embed = sd.reshape(queries, -1, numQueries, queryWidth);   // [Qg,dq] → [1,Qg,dq]; [1|B,Qg,dq] unchanged
        List<DecoderStage> stages;
        try (ParamFactory.Sharing shared = params.share(); NameScope scope = sd.withNameScope(group)) {
            stages = stages(new DecoderQueries(embed, numQueries, group));
        }
        for (int k = 0; k < stages.size(); k++) {
            DecoderStage s = stages.get(k);
            sd.identity(DetectorNames.inGroup(group, DetectorNames.stageHidden(k)), s.hidden());
            sd.identity(DetectorNames.inGroup(group, DetectorNames.stageLogits(k)), s.logits());
            sd.identity(DetectorNames.inGroup(group, DetectorNames.stageBoxes(k)), s.boxes());
            if (s.reference() != null) sd.identity(DetectorNames.inGroup(group, DetectorNames.stageReference(k)), s.reference());
        }
        return new QueryGroup(group, queries.name(), numQueries, stages.size());
    }

    /** What this variant's query embedding holds, for messages. */
    protected String queryForm() {
        return "[Q, " + queryWidth + "]";
    }

    // ---------------------------------------------------------------------------------------------------- steps

    /**
     * Declares {@value DetectorNames#IMAGES} {@code [B,3,H,W]} and {@value DetectorNames#PIXEL_MASK} {@code [B,H,W]},
     * H × W the config's input canvas; B is dynamic.
     */
    protected void inputs() {
        images = sd.placeHolder(DetectorNames.IMAGES, dataType, -1, 3, config.inputHeight(), config.inputWidth());
        pixelMask = sd.placeHolder(DetectorNames.PIXEL_MASK, dataType, -1, config.inputHeight(), config.inputWidth());
    }

    /** The ResNet of {@link DetectorConfig#backbone()}. */
    protected ResNetBackbone backbone(long seed) {
        return ResNetBackbone.build(sd, images, config.backbone(), seed);
    }

    /**
     * DETR's neck: {@code input_proj}, a 1×1 conv (with bias) from C5 to d, one level.
     *
     * @return the levels entering the encoder, finest first
     */
    protected List<FeatureMap> neck(ResNetBackbone backbone) {
        FeatureLevel c5 = backbone.levels().get(3);
        SDVariable x = Conv2d.apply(params, "input_proj", c5.output(), c5.channels(), config.hiddenDim(), 1, 1, 0, true);
        return List.of(levelPlaceholders(0, c5::outputSize, c5.stride(), true, x));
    }

    /**
     * DETR's encoder: {@link DetectorConfig#encoderLayers()} post-norm layers over the tokens of all levels
     * (positional encodings added to queries and keys, padded tokens masked), on 2-D token streams {@code [B·S, d]}
     * ({@link #flattenLevels2d}, {@link #positions2d}, {@link #keyPaddingBias}), reshaped to {@code [B, S, d]} at the end.
     *
     * @return memory {@code [B, S, d]}
     */
    protected SDVariable encoder(List<FeatureMap> levels) {
        long s = tokens(levels), d = config.hiddenDim();
        SDVariable x = flattenLevels2d(levels, FeatureMap::features);
        SDVariable pos = positions2d(levels), bias = keyPaddingBias(levels);
        for (int i = 0; i < config.encoderLayers(); i++) {
            x = EncoderLayer.apply(params, "transformer.encoder.layers." + i, x, pos, bias, s, d, config.heads(), config.ffnDim());
        }
        return sd.reshape(x, -1, s, d);
    }

    /**
     * The detector's learned object queries, exposed as {@value DetectorNames#QUERY_EMBED}.
     *
     * @return a parameter {@code [Q, dq]} in the variant's query form (see {@link DecoderQueries})
     */
    protected abstract SDVariable queries();

    /**
     * The decoder on given queries: its stages and each stage's heads ({@link #classHead}, {@link #boxHead}). Called
     * once for the detector's own queries and once per extra query group ({@link DetectorGraph#addQueryGroup}), with
     * the parameters shared and inside the group's name scope: create parameters only through {@link #params}, and
     * build query-independent inputs (e.g. prepared feature maps) once.
     *
     * @param levels  the neck outputs (for cross-attention or sampling)
     * @param memory  {@code [B, S, d]} the encoder output
     * @param queries the queries of this pass: {@code [Q, dq]} own or {@code [1|B, Qg, dq]} of a group
     * @return one {@link DecoderStage} per decoder layer, in order ({@code [B, Q|Qg, ...]})
     */
    protected abstract List<DecoderStage> decoder(List<FeatureMap> levels, SDVariable memory, DecoderQueries queries);

    /**
     * How level positional encodings are computed in Java: DETR's normalised sine encoding (no −0.5 offset) with
     * d/2 features per axis. Deformable DETR overrides it (its reference subtracts 0.5).
     */
    protected PositionEncoder positionEncoder() {
        return (mask, dim) -> PositionEmbeddingSine.detr(dim / 2).embed(mask, mask.dataType());
    }

    // ---------------------------------------------------------------------------------------------------- heads

    /**
     * {@code Linear(d → C)} named {@code <name>}, bias initialised to the focal prior {@code −log((1−0.01)/0.01)}, on
     * 2-D {@code hidden [N, d]} → {@code [N, C]}.
     */
    protected SDVariable classHead(String name, SDVariable hidden) {
        double bias = -Math.log((1 - PRIOR_PROB) / PRIOR_PROB);
        return Linear.apply2d(params, name, hidden, config.hiddenDim(), config.numClasses(), true,
                Init.torchDefault(config.hiddenDim()), Init.constant(bias));
    }

    /**
     * DETR's box MLP {@code (d → d → d → 4)} named {@code <name>}, last layer zero-initialised, on 2-D
     * {@code hidden [N, d]}; returns the raw deltas {@code [N, 4]}.
     */
    protected SDVariable boxHead(String name, SDVariable hidden) {
        return Mlp.apply2d(params, name, hidden, config.hiddenDim(), config.hiddenDim(), 4, 3, true, null);
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /**
     * Declares the geometry placeholders of a level ({@code level_<l>/mask}, and {@code level_<l>/pos} if asked)
     * and records how its size follows from the input, so {@link DetectorGraph#feeds} can fill them.
     */
    protected FeatureMap levelPlaceholders(int level, java.util.function.LongUnaryOperator size, int stride, boolean withPos,
                                           SDVariable features) {
        geometry.add(new LevelGeometry(level, size, withPos));
        long h = size.applyAsLong(config.inputHeight()), w = size.applyAsLong(config.inputWidth());
        SDVariable mask = sd.placeHolder(DetectorNames.level(level) + "mask", dataType, -1, h, w);
        SDVariable pos = withPos ? sd.placeHolder(DetectorNames.level(level) + "pos", dataType, -1, config.hiddenDim(), h, w) : null;
        return new FeatureMap(level, features, mask, pos, stride, h, w);
    }

    /**
     * Declares a variant-specific placeholder {@code name} of this graph's type whose value {@link DetectorGraph#feeds}
     * computes in Java for every batch (after the level masks and encodings), e.g. reference points.
     *
     * @param shape the placeholder shape, -1 for dynamic dimensions (the batch)
     */
    protected SDVariable geometryPlaceholder(String name, GeometryFeed.Compute compute, long... shape) {
        geometryFeeds.add(new GeometryFeed(name, compute));
        return sd.placeHolder(name, dataType, shape);
    }

    /** {@code [B, d, H_l, W_l]} per level → {@code [B, Σ H_l·W_l, d]}, levels in order. */
    protected SDVariable flattenLevels(List<FeatureMap> levels, java.util.function.Function<FeatureMap, SDVariable> which) {
        List<SDVariable> parts = new ArrayList<>();
        for (FeatureMap f : levels) parts.add(sd.reshape(sd.permute(which.apply(f), 0, 2, 3, 1), -1, f.tokens(), config.hiddenDim()));
        return parts.size() == 1 ? parts.get(0) : sd.concat(1, parts.toArray(new SDVariable[0]));
    }

    /** S = Σ H_l·W_l, the tokens per image of {@code levels} (static). */
    protected static long tokens(List<FeatureMap> levels) {
        return levels.stream().mapToLong(FeatureMap::tokens).sum();
    }

    /**
     * {@code [B, d, H_l, W_l]} per level → the 2-D token stream {@code [B·S, d]}, batch-major, levels in order within
     * an image (the row order of {@link #flattenLevels} flattened): 2 ops for one level.
     */
    protected SDVariable flattenLevels2d(List<FeatureMap> levels, java.util.function.Function<FeatureMap, SDVariable> which) {
        long d = config.hiddenDim();
        if (levels.size() == 1) return sd.reshape(sd.permute(which.apply(levels.get(0)), 0, 2, 3, 1), -1, d);
        List<SDVariable> parts = new ArrayList<>();
        for (FeatureMap f : levels) parts.add(sd.reshape(sd.permute(which.apply(f), 0, 2, 3, 1), -1, f.tokens(), d));
        return sd.reshape(sd.concat(1, parts.toArray(new SDVariable[0])), -1, d);
    }

    /** The levels' positional encodings as a 2-D token stream {@code [B·S, d]}, built once per graph (memoised). */
    protected SDVariable positions2d(List<FeatureMap> levels) {
        if (positions2d == null) positions2d = flattenLevels2d(levels, FeatureMap::pos);
        return positions2d;
    }

    /**
     * The additive key-padding bias of the tokens, {@code [B, 1, 1, S]}, {@value MultiheadAttention#MASKED} at padded
     * tokens ({@link MultiheadAttention#keyPaddingBias(SameDiff, SDVariable, long)}); built once per graph (memoised).
     */
    protected SDVariable keyPaddingBias(List<FeatureMap> levels) {
        if (keyPaddingBias == null) {
            long s = tokens(levels);
            SDVariable padding = levels.size() == 1 ? levels.get(0).mask() : sd.concat(1,
                    levels.stream().map(f -> sd.reshape(f.mask(), -1, f.tokens())).toArray(SDVariable[]::new));
            keyPaddingBias = MultiheadAttention.keyPaddingBias(sd, padding, s);
        }
        return keyPaddingBias;
    }

    /** {@code [B, H_l, W_l]} masks → {@code [B, Σ H_l·W_l]}. */
    protected SDVariable flattenMasks(List<FeatureMap> levels) {
        List<SDVariable> parts = new ArrayList<>();
        for (FeatureMap f : levels) parts.add(sd.reshape(f.mask(), -1, f.tokens()));
        return parts.size() == 1 ? parts.get(0) : sd.concat(1, parts.toArray(new SDVariable[0]));
    }

    /** {@code log(x / (1 − x))} with x clamped to [eps, 1 − eps] as the references' {@code inverse_sigmoid} (eps 1e-5). */
    protected SDVariable inverseSigmoid(SDVariable x) {
        SDVariable c = sd.math.clipByValue(x, 0, 1);
        SDVariable x1 = sd.math.clipByValue(c, 1e-5, Double.MAX_VALUE);
        SDVariable x2 = sd.math.clipByValue(c.rsub(1.0), 1e-5, Double.MAX_VALUE);
        return sd.math.log(x1.div(x2));
    }

    public DetectorConfig config() { return config; }
}
