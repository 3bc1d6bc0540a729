package org.detrdistill.core.transformer;

import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.nn.Mlp;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.Fixture;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test harness: the bare {@link DeformableTransformer} of a {@code deformable_detr/transformer_*} fixture, fed per level
 * with {@code src_<l>}, {@code mask_<l>}, {@code pos_<l>} placeholders plus the Java-computed valid ratios and
 * encoder reference points; {@code query_embed} is a placeholder too. Parameters carry the fixture's (un-prefixed)
 * state_dict names and are loaded from its {@code params/}. Outputs: {@code memory}, {@code hs_<k>},
 * {@code init_reference}, {@code reference_<k>} (what layer k used) and, with refinement, {@code refined_<k>}.
 */
final class DeformableTransformerHarness {
    final Fixture fixture;
    final DeformableTransformerConfig config;
    final LevelShapes levels;
    final boolean refine;
    final SameDiff sd;
    final DataType type;

    DeformableTransformerHarness(String caseName, DataType type) {
        this.fixture = Fixture.load("deformable_detr", caseName);
        this.type = type;
        var c = fixture.config();
        this.config = DeformableTransformerConfig.builder().dModel(c.get("d_model").asInt()).nHeads(c.get("nhead").asInt())
                .encoderLayers(c.get("num_encoder_layers").asInt()).decoderLayers(c.get("num_decoder_layers").asInt())
                .ffnDim(c.get("dim_feedforward").asInt()).numLevels(c.get("num_feature_levels").asInt())
                .encoderPoints(c.get("enc_n_points").asInt()).decoderPoints(c.get("dec_n_points").asInt()).build();
        this.levels = LevelShapes.fromArrays(fixture.npy("intermediate/spatial_shapes"), fixture.npy("intermediate/level_start_index"));
        this.refine = c.get("with_box_refine").asBoolean();
        this.sd = SameDiff.create();
        build(c.get("num_queries").asInt());
        new WeightLoader().load(StateDict.readNpyFolder(fixture.dir().resolve("params")), sd);
    }

    private void build(int queries) {
        int d = config.dModel(), l = config.numLevels();
        ParamFactory p = new ParamFactory(sd, type, 5);
        List<SDVariable> srcs = new ArrayList<>(), masks = new ArrayList<>(), pos = new ArrayList<>();
        for (int i = 0; i < l; i++) {
            srcs.add(sd.placeHolder("src_" + i, type, -1, d, levels.height(i), levels.width(i)));
            masks.add(sd.placeHolder("mask_" + i, type, -1, levels.height(i), levels.width(i)));
            pos.add(sd.placeHolder("pos_" + i, type, -1, d, levels.height(i), levels.width(i)));
        }
        SDVariable ratios = sd.placeHolder("valid_ratios", type, -1, l, 2);
        SDVariable encRef = sd.placeHolder("encoder_reference", type, -1, levels.totalSize(), l, 2);
        SDVariable queryEmbed = sd.placeHolder("query_embed", type, queries, 2L * d);
        DeformableTransformer t = new DeformableTransformer(p, "", config, levels, 5);
        SDVariable memory = t.encode(srcs, masks, pos, ratios, encRef);
        sd.identity("memory", memory);
        DeformableTransformer.BoxRefinement heads = refine
                ? (k, h) -> Mlp.apply(p, "decoder.bbox_embed." + k, h, d, d, 4, 3, true) : null;
        DeformableTransformer.Decoded out = t.decode(memory, queryEmbed, heads);
        sd.identity("init_reference", out.initReference());
        for (int k = 0; k < out.stages().size(); k++) {
            DeformableTransformer.Stage s = out.stages().get(k);
            sd.identity("hs_" + k, s.hidden());
            sd.identity("reference_" + k, s.reference());
            if (s.refinedBoxes() != null) sd.identity("refined_" + k, s.refinedBoxes());
        }
    }

    /** The fixture's inputs plus the Java geometry, as placeholder values of this harness's type. */
    Map<String, INDArray> feeds() {
        Map<String, INDArray> f = new HashMap<>();
        List<INDArray> masks = new ArrayList<>();
        for (int i = 0; i < config.numLevels(); i++) {
            f.put("src_" + i, fixture.npy("src_" + i, type));
            INDArray m = fixture.npy("mask_" + i, type);
            masks.add(m);
            f.put("mask_" + i, m);
            f.put("pos_" + i, fixture.npy("pos_embed_" + i, type));
        }
        INDArray ratios = DeformableGeometry.validRatios(masks, type);
        f.put("valid_ratios", ratios);
        f.put("encoder_reference", DeformableGeometry.encoderReferencePoints(levels, ratios, type));
        f.put("query_embed", fixture.npy("query_embed", type));
        return f;
    }

    /** Output names: memory, init_reference, hs_k, reference_k (and refined_k with refinement). */
    String[] outputs() {
        List<String> names = new ArrayList<>(List.of("memory", "init_reference"));
        for (int k = 0; k < config.decoderLayers(); k++) {
            names.add("hs_" + k);
            names.add("reference_" + k);
            if (refine) names.add("refined_" + k);
        }
        return names.toArray(new String[0]);
    }
}
