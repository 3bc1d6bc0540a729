package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.FeatureLevel;
import org.detrdistill.core.backbone.ResNetBackbone;
import org.detrdistill.core.model.AdaMixerOptions;
import org.detrdistill.core.model.DecoderQueries;
import org.detrdistill.core.model.DecoderStage;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetrBuilder;
import org.detrdistill.core.model.FeatureMap;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.nn.Conv2d;
import org.detrdistill.core.nn.Detach;
import org.detrdistill.core.nn.GroupNorm;
import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.LayerNorm;
import org.detrdistill.core.transformer.AdaMixerDecoderStage;
import org.detrdistill.core.transformer.AdaMixerStageConfig;
import org.detrdistill.core.transformer.LevelShapes;
import org.detrdistill.core.transformer.Sampling3D;
import org.detrdistill.core.transformer.XyzrBoxes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * AdaMixer (MCG-NJU/AdaMixer, configs/adamixer/adamixer_r50_1x_coco.py) on the base builder:
 * <pre>
 *   backbone C2..C5 → neck: per level a 1×1 conv to d, then one GroupNorm shared by all levels ({@code ChannelMapping})
 *                  → no encoder (memory = the flattened neck outputs)
 *                  → query generator: xyzr = the whole image, content = LayerNorm(learned embedding), no affine
 *                  → L decoder stages ({@link AdaMixerDecoderStage}), each refining the boxes of the previous one
 * </pre>
 *
 * <p>Parameter names are the reference state_dict keys: {@code backbone.*} (with the presets' backbone prefix
 * {@code backbone.}), {@code neck.lateral_convs.<l>.conv.{weight,bias}}, {@code neck.gn_out.{weight,bias}},
 * {@code rpn_head.init_content_features.weight} ({@code [Q,d]}, N(0,1)), {@code rpn_head.init_proposal_bboxes.weight}
 * ({@code [Q,4]} cxcywh (0.5, 0.5, 1, 1), a constant: the reference never trains it) and
 * {@code roi_head.bbox_head.<k>.<stage key>}.
 *
 * <p>Choices, documented:
 * <ul>
 *   <li>Neck: the reference's {@code ChannelMapping} (1×1 conv with bias, Xavier-uniform weight, zero bias; shared
 *       {@code GroupNorm(32, d)}). With d not a multiple of 32 the group count is gcd(32, d). Levels are C2 upwards
 *       ({@code start_level = 0}); {@code numLevels < 4} drops the coarsest.</li>
 *   <li>Image size: boxes are in pixels inside the decoder, so the initial boxes and the normalisation of the output
 *       boxes use each image's unpadded size, as the reference's {@code img_meta['img_shape']}; it is read from the
 *       pixel mask (valid pixels of row 0 and column 0: the image is the top-left part of the canvas).</li>
 *   <li>Between stages the boxes are detached (the reference detaches {@code query_xyzr}); the content is not.</li>
 *   <li>Outputs: {@code stage_<k>/boxes} = the refined boxes of stage k, {@code stage_<k>/reference} = the boxes it
 *       started from, {@code stage_<k>/hidden} = its content output, all boxes cxcywh normalised;
 *       {@value DetectorNames#QUERY_EMBED} = the content embedding {@code [Q,d]} (before its LayerNorm);
 *       {@value DetectorNames#INIT_REFERENCE} = the initial boxes.</li>
 * </ul>
 */
public final class AdaMixer extends DetrBuilder {
    /** Prefix of the decoder stage parameters: {@code roi_head.bbox_head.<k>.}. */
    public static final String STAGE_PREFIX = "roi_head.bbox_head.";
    /** The learned content embedding {@code [Q,d]}. */
    public static final String CONTENT_EMBED = "rpn_head.init_content_features.weight";
    /** The initial proposals {@code [Q,4]} cxcywh relative to the image (constant). */
    public static final String PROPOSALS = "rpn_head.init_proposal_bboxes.weight";
    /** The neck's shared GroupNorm. */
    public static final String NECK_NORM = "neck.gn_out";

    private final AdaMixerStageConfig stageConfig;
    private LevelShapes levelShapes;
    /** The sampling-ready feature levels and {@code [B,1,4]} image sizes, built by the first decoder pass. */
    private SDVariable features, whwh;

    /** @throws IllegalArgumentException if the configuration is not an AdaMixer one or its sizes do not fit */
    public AdaMixer(DetectorConfig config) {
        super(config);
        if (config.variant() != Variant.ADAMIXER) {
            throw new IllegalArgumentException("AdaMixer builds variant adamixer, got " + config.variant());
        }
        this.stageConfig = stageConfig(config);
    }

    /**
     * The decoder stage configuration of a detector configuration: d content and feature width, {@code heads},
     * {@code ffnDim}, the {@link AdaMixerOptions} points and groups, channel-mixing width {@code mixDim · groups},
     * the backbone's level strides.
     *
     * @throws IllegalArgumentException naming the detector config fields that do not fit
     */
    public static AdaMixerStageConfig stageConfig(DetectorConfig config) {
        AdaMixerOptions o = config.adamixer();
        int[] strides = java.util.Arrays.copyOf(config.backbone().strides(), o.numLevels());
        try {
            return AdaMixerStageConfig.builder().numClasses(config.numClasses()).contentDim(config.hiddenDim())
                    .featChannels(config.hiddenDim()).numHeads(config.heads()).ffnDim(config.ffnDim())
                    .inPoints(o.inPoints()).outPoints(o.outPoints()).nGroups(o.groups()).mixOutDim(o.mixDim() * o.groups())
                    .featmapStrides(strides).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("detector config (adamixer, hiddenDim " + config.hiddenDim() + ", heads "
                    + config.heads() + ", adamixer.groups " + o.groups() + ") does not fit: " + e.getMessage(), e);
        }
    }

    /** Group count of the neck's GroupNorm: 32 as the reference, gcd(32, d) when d is not a multiple of 32. */
    public static int neckGroups(int hiddenDim) {
        return java.math.BigInteger.valueOf(32).gcd(java.math.BigInteger.valueOf(hiddenDim)).intValue();
    }

    /** {@code ChannelMapping}: C2.. → 1×1 conv → shared GroupNorm, {@code numLevels} levels, finest first. */
    @Override
    protected List<FeatureMap> neck(ResNetBackbone backbone) {
        int d = config.hiddenDim(), n = config.adamixer().numLevels(), groups = neckGroups(d);
        SDVariable gain = params.create(NECK_NORM + ".weight", Init.ones(), d);
        SDVariable bias = params.create(NECK_NORM + ".bias", Init.zeros(), d);
        List<FeatureMap> levels = new ArrayList<>();
        int[] heights = new int[n], widths = new int[n];
        for (int l = 0; l < n; l++) {
            FeatureLevel c = backbone.levels().get(l);
            SDVariable x = Conv2d.apply(params, "neck.lateral_convs." + l + ".conv", c.output(), c.channels(), d, 1, 1, 0, true,
                    Init.xavierUniform(), Init.zeros());
            x = GroupNorm.apply(x, gain, bias, d, groups);
            levels.add(levelPlaceholders(l, c::outputSize, c.stride(), false, x));
            heights[l] = Math.toIntExact(c.outputSize(config.inputHeight()));
            widths[l] = Math.toIntExact(c.outputSize(config.inputWidth()));
        }
        levelShapes = new LevelShapes(heights, widths);
        return levels;
    }

    /** No encoder: the memory is the flattened neck outputs {@code [B, Σ H_l·W_l, d]}. */
    @Override
    protected SDVariable encoder(List<FeatureMap> levels) {
        return flattenLevels(levels, FeatureMap::features);
    }

    /** {@code rpn_head.init_content_features.weight [Q, d]} (N(0,1)): the content embedding, before its LayerNorm. */
    @Override
    protected SDVariable queries() {
        return params.create(CONTENT_EMBED, Init.normal(1.0), config.numQueries(), config.hiddenDim());
    }

    @Override
    protected String queryForm() {
        return "[Q, d] content embedding before its LayerNorm (init_content_features), d = " + config.hiddenDim()
                + "; the initial boxes are the whole image for every query";
    }

    /**
     * The query generator and the stages on {@code queries} ({@code [Q,d]} own or {@code [1|B,Qg,d]} of a group): content
     * = LayerNorm (no affine) of the queries, boxes = the whole image for every query (the same for the detector's own
     * queries and a group's, as the reference's proposals are constant).
     */
    @Override
    protected List<DecoderStage> decoder(List<FeatureMap> levels, SDVariable memory, DecoderQueries queries) {
        int q = queries.count(), d = config.hiddenDim();
        if (features == null) {   // query-independent: once, shared with query groups
            List<SDVariable> maps = new ArrayList<>();
            for (FeatureMap f : levels) maps.add(f.features());
            features = Sampling3D.prepare(sd, "adamixer/features", stageConfig.sampling(), levelShapes, maps);
            whwh = sd.identity("adamixer/image_whwh", XyzrBoxes.imageWhwh(sd, pixelMask));                    // [B,1,4]
        }

        // query generator
        INDArray whole = Nd4j.create(new double[]{0.5, 0.5, 1, 1}).reshape(1, 4).repeat(0, q);
        SDVariable xyzr = XyzrBoxes.fromProposals(sd, params.constant(PROPOSALS, whole), whwh);               // [B,Q,4]
        SDVariable normed = LayerNorm.apply(queries.embed(), params.constant("adamixer/content_ln_gain", Nd4j.ones(d)),
                params.constant("adamixer/content_ln_bias", Nd4j.zeros(d)), d);                                // [Q,d] | [1|B,Q,d]
        SDVariable content = (queries.isOwn() ? sd.expandDims(normed, 0) : normed)
                .add(sd.zerosLike(XyzrBoxes.columns(sd, xyzr)[0]));                                              // [B,Q,d]
        sd.identity(DetectorNames.INIT_REFERENCE, XyzrBoxes.toCxcywh(sd, xyzr, whwh));

        List<DecoderStage> stages = new ArrayList<>();
        for (int k = 0; k < config.decoderLayers(); k++) {
            AdaMixerDecoderStage stage = AdaMixerDecoderStage.create(params, STAGE_PREFIX + k, stageConfig);
            AdaMixerDecoderStage.Output out = stage.forward("adamixer/stage_" + k, levelShapes, features, xyzr, content);
            stages.add(new DecoderStage(out.content(), XyzrBoxes.toCxcywh(sd, xyzr, whwh), out.clsScore(),
                    XyzrBoxes.toCxcywh(sd, out.refinedXyzr(), whwh)));
            xyzr = Detach.apply(null, out.refinedXyzr());
            content = out.content();
        }
        return stages;
    }

    /** The decoder stage configuration this builder uses. */
    public AdaMixerStageConfig stageConfig() { return stageConfig; }
}
