package org.detrdistill.core.transformer;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AdaMixerDecoderStage} (SameDiff) and {@link AdaMixerDecoderStageReference} against
 * {@code adamixer/decoder_stage_C64_h4_G4_P8_out16} (outputs, refined boxes and every intermediate) in DOUBLE and
 * FLOAT, against each other, and by central differences w.r.t. inputs and parameters of every kind.
 */
class AdaMixerDecoderStageTest {
    private static final String CASE = "decoder_stage_C64_h4_G4_P8_out16";
    /** fixture name → stage output / intermediate name. */
    private static final Map<String, String> COMPARED = new LinkedHashMap<>();

    static {
        COMPARED.put("cls_score", "cls_score");
        COMPARED.put("xyzr_delta", "xyzr_delta");
        COMPARED.put("query_content_out", "content");
        COMPARED.put("refined_xyzr", "refined_xyzr");
        COMPARED.put("intermediate/position_embedding", "position_embedding");
        COMPARED.put("intermediate/iof", "iof");
        COMPARED.put("intermediate/after_attention", "after_attention");
        COMPARED.put("intermediate/sample_points", "sample_points");
        COMPARED.put("intermediate/sampled_features", "sampled_features");
        COMPARED.put("intermediate/after_sampling_mixing", "after_sampling_mixing");
    }

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static AdaMixerStageConfig config(Fixture f) {
        JsonNode c = f.config();
        int[] strides = new int[c.get("featmap_strides").size()];
        for (int i = 0; i < strides.length; i++) strides[i] = c.get("featmap_strides").get(i).asInt();
        return AdaMixerStageConfig.builder().numClasses(c.get("num_classes").asInt()).contentDim(c.get("content_dim").asInt())
                .featChannels(c.get("feat_channels").asInt()).numHeads(c.get("num_heads").asInt())
                .ffnDim(c.get("feedforward_channels").asInt()).inPoints(c.get("in_points").asInt())
                .outPoints(c.get("out_points").asInt()).nGroups(c.get("n_groups").asInt())
                .numClsFcs(c.get("num_cls_fcs").asInt()).numRegFcs(c.get("num_reg_fcs").asInt()).featmapStrides(strides).build();
    }

    static Map<String, INDArray> params(Fixture f, AdaMixerStageConfig cfg) {
        Map<String, INDArray> p = new LinkedHashMap<>();
        for (String key : AdaMixerDecoderStage.parameterKeys(cfg)) p.put(key, f.npy("params/" + key, DataType.DOUBLE));
        return p;
    }

    static List<INDArray> features(Fixture f, DataType type) {
        List<INDArray> x = new ArrayList<>();
        for (int l = 0; l < 4; l++) x.add(f.npy("x_" + l, type));
        return x;
    }

    /** The stage in a graph whose feature maps, boxes and content are placeholders. */
    record Built(SameDiff sd, AdaMixerDecoderStage stage, AdaMixerDecoderStage.Output out, LevelShapes levels) {}

    static Built build(AdaMixerStageConfig cfg, Map<String, INDArray> params, List<INDArray> x, DataType type) {
        SameDiff sd = SameDiff.create();
        List<SDVariable> maps = new ArrayList<>();
        int[][] hw = new int[x.size()][];
        for (int l = 0; l < x.size(); l++) {
            maps.add(sd.placeHolder("x_" + l, type, -1, cfg.featChannels(), x.get(l).size(2), x.get(l).size(3)));
            hw[l] = new int[]{(int) x.get(l).size(2), (int) x.get(l).size(3)};
        }
        LevelShapes levels = LevelShapes.of(hw);
        SDVariable prepared = Sampling3D.prepare(sd, "prepared", cfg.sampling(), levels, maps);
        SDVariable xyzr = sd.placeHolder("xyzr", type, -1, -1, 4);
        SDVariable content = sd.placeHolder("content", type, -1, -1, cfg.contentDim());
        AdaMixerDecoderStage stage = AdaMixerDecoderStage.create(new ParamFactory(sd, type, 1), "stage", cfg);
        stage.load(params);
        return new Built(sd, stage, stage.forward("s", levels, prepared, xyzr, content), levels);
    }

    static Map<String, INDArray> feed(List<INDArray> x, INDArray xyzr, INDArray content) {
        Map<String, INDArray> feed = new HashMap<>();
        for (int l = 0; l < x.size(); l++) feed.put("x_" + l, x.get(l));
        feed.put("xyzr", xyzr);
        feed.put("content", content);
        return feed;
    }

    private static Map<String, INDArray> run(Built b, Map<String, INDArray> feed) {
        Map<String, String> names = new LinkedHashMap<>();
        AdaMixerDecoderStage.Output o = b.out();
        names.put("cls_score", o.clsScore().name());
        names.put("xyzr_delta", o.xyzrDelta().name());
        names.put("content", o.content().name());
        names.put("refined_xyzr", o.refinedXyzr().name());
        o.intermediates().forEach((k, v) -> names.put(k, v.name()));
        Map<String, INDArray> raw = b.sd().output(feed, names.values().toArray(new String[0]));
        Map<String, INDArray> out = new LinkedHashMap<>();
        names.forEach((k, v) -> out.put(k, raw.get(v)));
        return out;
    }

    @Test
    void doubleMatchesFixtureAndReference() {
        Fixture f = Fixture.load("adamixer", CASE);
        AdaMixerStageConfig cfg = config(f);
        Map<String, INDArray> params = params(f, cfg);
        List<INDArray> x = features(f, DataType.DOUBLE);
        INDArray xyzr = f.npy("query_xyzr", DataType.DOUBLE), content = f.npy("query_content", DataType.DOUBLE);
        Map<String, INDArray> got = run(build(cfg, params, x, DataType.DOUBLE), feed(x, xyzr, content));
        Map<String, INDArray> ref = AdaMixerDecoderStageReference.forward(cfg, params, x, xyzr, content);
        ref.put("content", ref.get("query_content_out"));
        double worst = 0;
        for (Map.Entry<String, String> e : COMPARED.entrySet()) {
            INDArray expected = f.npy(e.getKey(), DataType.DOUBLE);
            double dSd = TestArrays.maxAbsDiff(expected, got.get(e.getValue()).reshape(expected.shape()));
            double dRef = TestArrays.maxAbsDiff(expected, ref.get(e.getValue()).reshape(expected.shape()));
            System.out.printf("%s DOUBLE %-36s SameDiff %.2e reference %.2e%n", CASE, e.getKey(), dSd, dRef);
            assertTrue(dSd <= 1e-7, e.getKey() + ": SameDiff differs by " + dSd);
            assertTrue(dRef <= 1e-7, e.getKey() + ": reference differs by " + dRef);
            worst = Math.max(worst, dSd);
        }
        // decode_box of the refined boxes
        INDArray boxes = f.npy("refined_boxes", DataType.DOUBLE);
        double dBoxes = TestArrays.maxAbsDiff(boxes, AdaMixerDecoderStageReference.decodeXyxy(got.get("refined_xyzr")));
        double dQuery = TestArrays.maxAbsDiff(f.npy("intermediate/query_boxes_xyxy", DataType.DOUBLE),
                AdaMixerDecoderStageReference.decodeXyxy(xyzr));
        System.out.printf("%s DOUBLE refined_boxes %.2e query_boxes_xyxy %.2e; worst SameDiff %.2e%n", CASE, dBoxes, dQuery, worst);
        assertTrue(dBoxes <= 1e-7 && dQuery <= 1e-9, dBoxes + " " + dQuery);
    }

    @Test
    void floatMatchesFixture() {
        Fixture f = Fixture.load("adamixer", CASE);
        AdaMixerStageConfig cfg = config(f);
        List<INDArray> x = features(f, DataType.FLOAT);
        Built b = build(cfg, params(f, cfg), x, DataType.FLOAT);
        Map<String, INDArray> got = run(b, feed(x, f.npy("query_xyzr", DataType.FLOAT), f.npy("query_content", DataType.FLOAT)));
        for (Map.Entry<String, String> e : COMPARED.entrySet()) {
            INDArray expected = f.npy(e.getKey(), DataType.DOUBLE);
            double d = TestArrays.maxAbsDiff(expected, got.get(e.getValue()).castTo(DataType.DOUBLE).reshape(expected.shape()));
            System.out.printf("%s FLOAT %-36s %.2e%n", CASE, e.getKey(), d);
            assertTrue(d <= 1e-4, e.getKey() + ": FLOAT differs by " + d);
        }
    }

    @Test
    void finiteDifferencesOfInputsAndEveryParameterKind() {
        Fixture f = Fixture.load("adamixer", CASE);
        AdaMixerStageConfig cfg = config(f);
        List<INDArray> x = features(f, DataType.DOUBLE);
        Built b = build(cfg, params(f, cfg), x, DataType.DOUBLE);
        SameDiff sd = b.sd();
        AdaMixerDecoderStage.Output o = b.out();
        long n = 6;
        SDVariable loss = o.clsScore().mul(sd.constant(TestArrays.uniform(11, -1, 1, 2, n, cfg.numClasses()))).sum()
                .add(o.refinedXyzr().mul(sd.constant(TestArrays.uniform(12, -1, 1, 2, n, 4))).sum())
                .add(o.content().mul(sd.constant(TestArrays.uniform(13, -1, 1, 2, n, cfg.contentDim()))).sum());
        sd.setLossVariables(sd.identity("loss", loss));
        Map<String, INDArray> feed = feed(x, f.npy("query_xyzr", DataType.DOUBLE), f.npy("query_content", DataType.DOUBLE));
        // placeholders first: SameDiff differentiates w.r.t. placeholders only if named when the gradient function is built.
        // Not xyzr: its position embedding and IoF carry no gradient by design (torch.no_grad() in the reference), so
        // finite differences of xyzr see paths that backprop rightly ignores; its sampling and refinement paths are
        // covered through the offset and fc_reg parameters below.
        Map<String, INDArray> grads = org.detrdistill.core.testutil.FiniteDifference.analytic(sd, feed, "content", "x_1");
        for (String in : List.of("content", "x_1")) {
            INDArray num = org.detrdistill.core.testutil.FiniteDifference.numeric(sd, "loss", feed, in, 1e-6, in.equals("x_1") ? 769 : 31);
            double err = org.detrdistill.core.testutil.FiniteDifference.maxAbsDiff(grads.get(in), num);
            double mag = org.detrdistill.core.testutil.FiniteDifference.maxAbs(num);
            System.out.printf("d loss / d %-10s max abs err %.2e (|g| up to %.2e)%n", in, err, mag);
            assertTrue(mag > 1e-4, in + ": degenerate check");
            assertTrue(err < 1e-6 * Math.max(1, mag), in + ": " + err);
        }
        for (String key : List.of("iof_tau", "attention.attn.in_proj_weight", "attention.attn.out_proj.bias", "attention_norm.weight",
                "sampling_n_mixing.sampling_offset_generator.0.weight", "sampling_n_mixing.sampling_offset_generator.0.bias",
                "sampling_n_mixing.adaptive_mixing.parameter_generator.0.weight", "sampling_n_mixing.adaptive_mixing.out_proj.weight",
                "sampling_n_mixing.norm.bias", "ffn.layers.0.0.weight", "ffn_norm.weight", "cls_fcs.0.weight", "cls_fcs.1.bias",
                "fc_cls.weight", "reg_fcs.0.bias", "fc_reg.weight")) {
            CentralDifference.Result r = CentralDifference.check(sd, "loss", feed, "stage." + key, 4, 1e-6, key.hashCode());
            System.out.println("d loss / d " + r);
            assertTrue(r.maxAbsGradient() > 0, key + ": zero gradient, degenerate check");
            assertTrue(r.maxRelError() < 1e-5, key + ": " + r);
        }
    }

    @Test
    void initialisationFollowsTheReference() {
        AdaMixerStageConfig cfg = AdaMixerStageConfig.builder().numClasses(3).contentDim(16).featChannels(16).numHeads(2)
                .ffnDim(32).inPoints(4).outPoints(8).nGroups(2).build();
        Map<String, INDArray> p = initial(cfg, 7);
        assertEquals(Set.copyOf(AdaMixerDecoderStage.parameterKeys(cfg)), p.keySet());
        assertEquals(0, p.get("sampling_n_mixing.sampling_offset_generator.0.weight").amaxNumber().doubleValue());
        assertEquals(0, p.get("fc_reg.weight").amaxNumber().doubleValue());
        assertEquals(0, p.get("sampling_n_mixing.adaptive_mixing.parameter_generator.0.weight").amaxNumber().doubleValue());
        assertEquals(-Math.log(99), p.get("fc_cls.bias").getDouble(0), 1e-15);
        INDArray tau = p.get("iof_tau");
        assertTrue(tau.minNumber().doubleValue() >= 0 && tau.maxNumber().doubleValue() <= 4 && tau.getDouble(0) != tau.getDouble(1));
        // 4 points is a square: a 2x2 grid at -0.25/+0.25 in both slots, z = -1
        INDArray bias = p.get("sampling_n_mixing.sampling_offset_generator.0.bias").reshape(2, 4, 3);
        assertEquals(Nd4j.createFromArray(new double[][]{{-0.25, -0.25, -1}, {-0.25, 0.25, -1}, {0.25, -0.25, -1}, {0.25, 0.25, -1}}),
                bias.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)));
        assertEquals(1.0, p.get("cls_fcs.1.weight").minNumber().doubleValue());
        double xavier = Math.sqrt(6.0 / 32);
        assertTrue(p.get("cls_fcs.0.weight").amaxNumber().doubleValue() <= xavier);
        // 3 points is not: U(-0.5, 0.5) in x, y
        AdaMixerStageConfig odd = AdaMixerStageConfig.builder().numClasses(3).contentDim(16).featChannels(16).numHeads(2)
                .ffnDim(32).inPoints(3).outPoints(8).nGroups(2).build();
        INDArray b3 = initial(odd, 7).get("sampling_n_mixing.sampling_offset_generator.0.bias").reshape(6, 3);
        assertTrue(b3.getColumn(0).amaxNumber().doubleValue() <= 0.5 && b3.getColumn(0).getDouble(0) != b3.getColumn(0).getDouble(1));
        assertEquals(-1.0, b3.getColumn(2).maxNumber().doubleValue());
        assertEquals(p.get("iof_tau"), initial(cfg, 7).get("iof_tau"));
    }

    /** The initial parameters of a stage created with {@code seed}, by key without prefix. */
    private static Map<String, INDArray> initial(AdaMixerStageConfig cfg, long seed) {
        AdaMixerDecoderStage stage = AdaMixerDecoderStage.create(new ParamFactory(SameDiff.create(), DataType.DOUBLE, seed), "", cfg);
        Map<String, INDArray> m = new LinkedHashMap<>();
        stage.parameters().forEach((k, v) -> m.put(k, v.getArr()));
        return m;
    }

    @Test
    void badConfigurationsAndParametersAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaMixerStageConfig.builder().contentDim(20).numHeads(2).build());
        assertTrue(e.getMessage().contains("content_dim 20"), e.getMessage());
        AdaMixerStageConfig cfg = AdaMixerStageConfig.builder().numClasses(3).contentDim(16).featChannels(16).numHeads(2)
                .ffnDim(32).inPoints(4).outPoints(8).nGroups(2).build();
        assertEquals(cfg, AdaMixerStageConfig.fromJson(cfg.toJson()));
        Map<String, INDArray> p = new LinkedHashMap<>(initial(cfg, 1));
        p.put("fc_cls.weight", Nd4j.zeros(DataType.DOUBLE, 4, 16));
        AdaMixerDecoderStage stage = AdaMixerDecoderStage.create(new ParamFactory(SameDiff.create(), DataType.DOUBLE, 1), "s", cfg);
        e = assertThrows(IllegalArgumentException.class, () -> stage.load(p));
        assertTrue(e.getMessage().contains("fc_cls.weight") && e.getMessage().contains("[3, 16]"), e.getMessage());
        p.remove("fc_cls.weight");
        e = assertThrows(IllegalArgumentException.class, () -> stage.load(p));
        assertTrue(e.getMessage().contains("missing parameter 'fc_cls.weight'"), e.getMessage());
    }
}
