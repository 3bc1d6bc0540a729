package org.detrdistill.core.model;

import org.detrdistill.core.backbone.ResNetBackbone;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.position.PaddingMasks;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A built detector: its SameDiff graph, its configuration, and the Java-side computation of the per-batch geometry
 * placeholders. Outputs follow {@link DetectorNames}.
 *
 * <pre>{@code
 * DetectorGraph det = Detectors.build(config, DataType.FLOAT, seed);
 * DetectorOutputs out = det.forward(batch.images(), batch.mask());
 * INDArray logits = out.logits();   // [B,Q,C]
 * }</pre>
 */
public final class DetectorGraph {
    private final DetectorConfig config;
    private final SameDiff sd;
    private final DataType dataType;
    private final List<LevelGeometry> geometry;
    private final Set<String> convKernels;
    private final ResNetBackbone backbone;
    private final PositionEncoder positions;
    private final List<GeometryFeed> geometryFeeds;
    private final QueryGroupHook groupHook;
    private final int queryWidth;
    private final Map<String, QueryGroup> groups = new LinkedHashMap<>();

    /** Runs the decoder and heads once more on other queries (the builder's {@code addQueryGroup}). */
    @FunctionalInterface
    interface QueryGroupHook {
        QueryGroup add(String group, SDVariable queries, int numQueries);
    }

    DetectorGraph(DetectorConfig config, SameDiff sd, DataType dataType, List<LevelGeometry> geometry,
                  Set<String> convKernels, ResNetBackbone backbone, PositionEncoder positions,
                  List<GeometryFeed> geometryFeeds, QueryGroupHook groupHook, int queryWidth) {
        this.groupHook = groupHook;
        this.queryWidth = queryWidth;
        this.geometryFeeds = List.copyOf(geometryFeeds);
        this.config = config;
        this.sd = sd;
        this.dataType = dataType;
        this.geometry = geometry;
        this.convKernels = Set.copyOf(convKernels);
        this.backbone = backbone;
        this.positions = positions;
    }

    public DetectorConfig config() { return config; }

    public SameDiff sameDiff() { return sd; }

    public DataType dataType() { return dataType; }

    /** Number of decoder stages L. */
    public int numStages() { return config.decoderLayers(); }

    /** The backbone part of the graph. */
    public ResNetBackbone backbone() { return backbone; }

    /**
     * Width {@code dq} of the detector's object queries, {@value DetectorNames#QUERY_EMBED} {@code [Q, dq]}: 2d for
     * Deformable DETR (position ‖ content), d for Conditional DETR (positional queries) and AdaMixer (content).
     */
    public int queryWidth() { return queryWidth; }

    /**
     * Adds an extra query group with a placeholder for its queries, {@link DetectorNames#groupQueries}
     * {@code <group>/queries} of shape {@code [-1, Qg, dq]}: feed {@code [1, Qg, dq]} (the same queries for every
     * image) or {@code [B, Qg, dq]}. See {@link #addQueryGroup(String, SDVariable, int)}.
     */
    public QueryGroup addQueryGroup(String group, int numQueries) {
        if (numQueries < 1) throw new IllegalArgumentException("query group '" + group + "' needs >= 1 query, got " + numQueries);
        String name = DetectorNames.groupQueries(group);
        if (sd.hasVariable(name)) throw new IllegalArgumentException("the graph already has a variable '" + name + "'");
        return addQueryGroup(group, sd.placeHolder(name, dataType, -1, numQueries, queryWidth), numQueries);
    }

    /**
     * Adds an extra query group: the decoder and the heads run a second time, in a separate pass, on {@code queries}
     * instead of the detector's own, on the same features and encoder memory, with the same (shared) weights. The
     * groups do not attend to each other; the detector's own outputs, and therefore inference and evaluation, are
     * unchanged (the group's part of the graph only runs when one of its outputs or a loss on them is asked for). For
     * training only: DETRDistill feeds the teacher's queries this way (METHOD §2c). The queries are in this detector's
     * query form ({@link #queryWidth()}): Deformable DETR splits them into position ‖ content and predicts the reference
     * points from the position half; Conditional DETR uses them as positional queries (reference points from them,
     * content starting at 0); AdaMixer takes them as content (before its LayerNorm) with whole-image initial boxes.
     *
     * @param group      the group's name ({@code [A-Za-z0-9_]+}), the prefix of its outputs (see {@link QueryGroup})
     * @param queries    a variable of this graph, {@code [Qg, dq]} or {@code [1|B, Qg, dq]}, e.g. a placeholder or an
     *                   adapter's output; gradients flow into it. Its width and count are checked here where SameDiff
     *                   knows its shape (placeholders, variables); an op output is only reshaped to {@code [-1,Qg,dq]},
     *                   so its producer must get the form right
     * @param numQueries Qg (must agree with the variable's shape where it is known)
     * @return the group's output names
     * @throws IllegalArgumentException for a bad or existing name, or queries of another width, type or graph; the
     *                                  message gives the expected query form
     */
    public QueryGroup addQueryGroup(String group, SDVariable queries, int numQueries) {
        if (groupHook == null) throw new UnsupportedOperationException("this graph cannot add query groups");
        QueryGroup g = groupHook.add(group, queries, numQueries);
        groups.put(g.name(), g);
        return g;
    }

    /** The query groups added so far, by name, in order. */
    public Map<String, QueryGroup> queryGroups() { return java.util.Collections.unmodifiableMap(groups); }

    /**
     * All placeholder values for a batch: the images and pixel mask, plus every level's mask and positional encoding,
     * plus the variant's {@link GeometryFeed}s.
     *
     * @param images    {@code [B,3,H,W]}, normalised, zero-padded to the canvas {@code H × W} of the config
     * @param pixelMask {@code [B,H,W]}, 1 = padding
     * @throws IllegalArgumentException if the shapes do not agree
     */
    public Map<String, INDArray> feeds(INDArray images, INDArray pixelMask) {
        if (images.rank() != 4 || images.size(1) != 3) {
            throw new IllegalArgumentException("images must be [B,3,H,W], got " + java.util.Arrays.toString(images.shape()));
        }
        if (images.size(2) != config.inputHeight() || images.size(3) != config.inputWidth()) {
            throw new IllegalArgumentException("images must be padded to the detector's input canvas "
                    + config.inputHeight() + "x" + config.inputWidth() + " (pixel mask = 1 on padding), got "
                    + images.size(2) + "x" + images.size(3));
        }
        if (pixelMask.rank() != 3 || pixelMask.size(0) != images.size(0) || pixelMask.size(1) != images.size(2)
                || pixelMask.size(2) != images.size(3)) {
            throw new IllegalArgumentException("pixel mask must be [B,H,W] = " + images.size(0) + "," + images.size(2) + ","
                    + images.size(3) + ", got " + java.util.Arrays.toString(pixelMask.shape()));
        }
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put(DetectorNames.IMAGES, images.castTo(dataType));
        INDArray mask = pixelMask.castTo(dataType);
        feeds.put(DetectorNames.PIXEL_MASK, mask);
        for (LevelGeometry g : geometry) {
            long h = g.size().applyAsLong(images.size(2)), w = g.size().applyAsLong(images.size(3));
            INDArray levelMask = PaddingMasks.resize(mask, Math.toIntExact(h), Math.toIntExact(w));
            feeds.put(DetectorNames.level(g.level()) + "mask", levelMask);
            if (g.withPos()) feeds.put(DetectorNames.level(g.level()) + "pos", positions.encode(levelMask, config.hiddenDim()).castTo(dataType));
        }
        Map<String, INDArray> standard = java.util.Collections.unmodifiableMap(new HashMap<>(feeds));
        for (GeometryFeed f : geometryFeeds) feeds.put(f.name(), f.compute().apply(standard).castTo(dataType));
        return feeds;
    }

    /** Runs the graph and returns the final logits and boxes plus every stage's logits, boxes and hidden states. */
    public DetectorOutputs forward(INDArray images, INDArray pixelMask) {
        List<String> names = new ArrayList<>(List.of(DetectorNames.LOGITS, DetectorNames.BOXES));
        for (int k = 0; k < numStages(); k++) {
            names.add(DetectorNames.stageLogits(k));
            names.add(DetectorNames.stageBoxes(k));
            names.add(DetectorNames.stageHidden(k));
        }
        return forward(images, pixelMask, names.toArray(new String[0]));
    }

    /** Runs the graph and returns exactly the named outputs (see {@link DetectorNames}). */
    public DetectorOutputs forward(INDArray images, INDArray pixelMask, String... outputs) {
        for (String o : outputs) {
            if (!sd.hasVariable(o)) throw new IllegalArgumentException("the graph has no output '" + o + "' (" + config.variant() + ")");
        }
        return new DetectorOutputs(new LinkedHashMap<>(sd.output(feeds(images, pixelMask), outputs)), numStages());
    }

    /**
     * Loads reference PyTorch weights by state_dict key: the backbone's convolutions and frozen BatchNorms through
     * {@link ResNetBackbone#loadStateDict}, every other key onto the parameter of the same name (conv kernels permuted
     * OIHW → YXIO), with {@code extra} rules tried first (e.g. a variant's renames).
     *
     * @throws IllegalArgumentException listing unknown, missing and mis-shaped keys
     */
    public WeightLoader.Report loadStateDict(StateDict state, WeightLoader.Rule... extra) {
        Set<String> used = backbone.loadStateDict(state.asMap());
        WeightLoader loader = new WeightLoader().ignore(used::contains);
        for (WeightLoader.Rule r : extra) loader.rule(r);
        loader.rule(new WeightLoader.Rule() {
            @Override public String target(String key) { return convKernels.contains(key) ? key : null; }
            @Override public INDArray transform(String key, INDArray value) { return value.permute(2, 3, 1, 0).dup('c'); }
        });
        Set<String> backboneParams = new java.util.HashSet<>(backbone.convWeights());
        for (String bn : backbone.frozenBatchNorms()) {
            backboneParams.add(bn + org.detrdistill.core.backbone.FrozenBatchNorm.SCALE);
            backboneParams.add(bn + org.detrdistill.core.backbone.FrozenBatchNorm.SHIFT);
        }
        return loader.ignoreUnfilled(backboneParams::contains).load(state, sd);
    }
}
