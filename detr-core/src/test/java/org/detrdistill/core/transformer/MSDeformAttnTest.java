package org.detrdistill.core.transformer;

import org.detrdistill.core.testutil.DoublePrecision;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MSDeformAttn} and {@link MSDeformAttnReference} against the {@code msdeform_attn/module_*} fixtures, against
 * each other with the reference initialisation, and by central differences w.r.t. parameters, in DOUBLE.
 */
@ExtendWith(DoublePrecision.class)
class MSDeformAttnTest {
    private static final String PREFIX = "transformer.encoder.layers.0.self_attn";

    /** A graph with placeholders query/ref/input(/mask) of dynamic batch, the module and loss = sum(out * R). */
    private record Built(SameDiff sd, MSDeformAttn module, Map<String, INDArray> feed) {}

    /** The module with the reference initialisation (seed 1), or with {@code stateDict} (keys without prefix) loaded. */
    private static Built build(MSDeformAttnConfig cfg, Map<String, INDArray> stateDict, INDArray query, INDArray ref,
                               INDArray input, INDArray mask, LevelShapes levels) {
        SameDiff sd = SameDiff.create();
        MSDeformAttn m = MSDeformAttn.create(new ParamFactory(sd, DataType.DOUBLE, 1), PREFIX, cfg);
        if (stateDict != null) {
            WeightLoader.Report r = new WeightLoader().rule(WeightLoader.Rule.rename(k -> PREFIX + "." + k))
                    .load(new StateDict(stateDict, "fixture params"), sd);
            assertEquals(8, r.loaded().size(), r.toString());
        }
        SDVariable q = sd.placeHolder("query", DataType.DOUBLE, -1, -1, query.size(2));
        SDVariable r = sd.placeHolder("ref", DataType.DOUBLE, -1, -1, ref.size(2), ref.size(3));
        SDVariable in = sd.placeHolder("input", DataType.DOUBLE, -1, input.size(1), input.size(2));
        SDVariable mk = mask == null ? null : sd.placeHolder("mask", DataType.DOUBLE, -1, mask.size(1));
        SDVariable out = m.forward("out", q, r, ref.size(3) == 2 ? MSDeformAttn.Reference.POINTS : MSDeformAttn.Reference.BOXES,
                in, levels, mk);
        INDArray rr = TestArrays.uniform(11, -0.5, 0.5, query.shape());
        sd.setLossVariables(out.mul(sd.constant("R", rr)).sum("loss"));
        Map<String, INDArray> feed = new HashMap<>(Map.of("query", query, "ref", ref, "input", input));
        if (mask != null) feed.put("mask", mask);
        return new Built(sd, m, feed);
    }

    /** The module's current parameters by key without prefix. */
    private static Map<String, INDArray> current(MSDeformAttn m) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        m.parameters().forEach((k, v) -> out.put(k, v.getArr().dup()));
        return out;
    }

    private static Map<String, INDArray> params(Fixture f) {
        return StateDict.readNpyFolder(f.dir().resolve("params")).asMap();
    }

    private static MSDeformAttnConfig config(Fixture f) {
        return MSDeformAttnConfig.builder().dModel(f.config().get("d_model").asInt()).nLevels(f.config().get("n_levels").asInt())
                .nHeads(f.config().get("n_heads").asInt()).nPoints(f.config().get("n_points").asInt()).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"module_d32_h4_L3_P2_ref2_mask", "module_d32_h4_L3_P2_ref4"})
    void forwardMatchesFixtureAndReference(String caseName) {
        Fixture f = Fixture.load("msdeform_attn", caseName);
        MSDeformAttnConfig cfg = config(f);
        LevelShapes levels = LevelShapes.fromArrays(f.npy("input_spatial_shapes"), f.npy("input_level_start_index"));
        INDArray mask = f.has("input_padding_mask") ? f.npy("input_padding_mask", DataType.DOUBLE) : null;
        Built b = build(cfg, params(f), f.npy("query"), f.npy("reference_points"), f.npy("input_flatten"), mask, levels);
        for (String k : MSDeformAttn.PARAMETER_KEYS) assertNotNull(b.sd().getVariable(PREFIX + "." + k), k);

        Map<String, INDArray> out = b.sd().output(b.feed(), "out", "out_sampling_locations", "out_attention_weights", "out_value");
        INDArray expected = f.npy("output", DataType.DOUBLE);
        double dOut = TestArrays.maxAbsDiff(expected, out.get("out"));
        double dLoc = TestArrays.maxAbsDiff(f.npy("intermediate/sampling_locations"), out.get("out_sampling_locations"));
        double dAw = TestArrays.maxAbsDiff(f.npy("intermediate/attention_weights"), out.get("out_attention_weights"));
        double dVal = TestArrays.maxAbsDiff(f.npy("intermediate/value"), out.get("out_value"));
        INDArray ref = MSDeformAttnReference.forward(cfg, params(f), f.npy("query"), f.npy("reference_points"),
                f.npy("input_flatten"), levels, mask);
        double dRef = TestArrays.maxAbsDiff(expected, ref);
        double dBoth = TestArrays.maxAbsDiff(ref, out.get("out"));
        System.out.printf("%s: output %.2e (reference %.2e, SameDiff vs reference %.2e), locations %.2e, weights %.2e, value %.2e%n",
                caseName, dOut, dRef, dBoth, dLoc, dAw, dVal);
        assertTrue(dOut < 1e-9, "output " + dOut);
        assertTrue(dLoc < 1e-9 && dAw < 1e-9 && dVal < 1e-9, "intermediates " + dLoc + " " + dAw + " " + dVal);
        assertTrue(dRef < 1e-9, "reference " + dRef);
        assertTrue(dBoth < 1e-9, "SameDiff vs reference " + dBoth);
    }

    @Test
    void dynamicBatchRunsOneImageOfTheFixture() {
        Fixture f = Fixture.load("msdeform_attn", "module_d32_h4_L3_P2_ref4");
        LevelShapes levels = LevelShapes.fromArrays(f.npy("input_spatial_shapes"), null);
        Built b = build(config(f), params(f), f.npy("query"), f.npy("reference_points"), f.npy("input_flatten"), null, levels);
        Map<String, INDArray> one = Map.of("query", f.npy("query").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).dup(),
                "ref", f.npy("reference_points").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).dup(),
                "input", f.npy("input_flatten").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).dup());
        INDArray out = b.sd().output(one, "out").get("out");
        INDArray expected = f.npy("output").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2));
        assertTrue(TestArrays.maxAbsDiff(expected, out) < 1e-9);
    }

    @Test
    void referenceInitialisation() {
        MSDeformAttnConfig cfg = MSDeformAttnConfig.builder().dModel(64).nHeads(8).nLevels(2).nPoints(3).build();
        SameDiff sd = SameDiff.create();
        MSDeformAttn m = MSDeformAttn.create(new ParamFactory(sd, DataType.DOUBLE, 5), "enc", cfg);
        INDArray bias = m.parameter("sampling_offsets.bias").getArr().reshape(8, 2, 3, 2);
        // head 0 points along +x, head 1 along the diagonal (1,1), head 2 along +y, head 4 along -x; point i scaled by i+1
        for (int l = 0; l < 2; l++) {
            for (int pt = 0; pt < 3; pt++) {
                assertEquals(pt + 1, bias.getDouble(0, l, pt, 0), 1e-12);
                assertEquals(0, bias.getDouble(0, l, pt, 1), 1e-12);
                assertEquals(pt + 1, bias.getDouble(1, l, pt, 0), 1e-12);
                assertEquals(pt + 1, bias.getDouble(1, l, pt, 1), 1e-12);
                assertEquals(0, bias.getDouble(2, l, pt, 0), 1e-12);
                assertEquals(pt + 1, bias.getDouble(2, l, pt, 1), 1e-12);
                assertEquals(-(pt + 1), bias.getDouble(4, l, pt, 0), 1e-12);
            }
        }
        assertEquals("enc.sampling_offsets.bias", m.parameter("sampling_offsets.bias").name());
        assertEquals(0, m.parameter("sampling_offsets.weight").getArr().amaxNumber().doubleValue());
        assertEquals(0, m.parameter("attention_weights.weight").getArr().amaxNumber().doubleValue());
        assertEquals(0, m.parameter("attention_weights.bias").getArr().amaxNumber().doubleValue());
        assertEquals(0, m.parameter("value_proj.bias").getArr().amaxNumber().doubleValue());
        double bound = Math.sqrt(6.0 / 128);
        for (String w : new String[]{"value_proj.weight", "output_proj.weight"}) {
            double max = m.parameter(w).getArr().amaxNumber().doubleValue();
            assertTrue(max <= bound && max > 0.9 * bound, w + " max " + max + " bound " + bound);
        }
        assertThrows(IllegalArgumentException.class, () -> m.parameter("value_proj"));
    }

    @Test
    void initialisedModuleMatchesReference() {
        MSDeformAttnConfig cfg = MSDeformAttnConfig.builder().dModel(16).nHeads(2).nLevels(2).nPoints(3).build();
        LevelShapes levels = LevelShapes.of(new int[][]{{6, 5}, {3, 3}});
        INDArray query = TestArrays.normal(1, 2, 4, 16);
        INDArray input = TestArrays.normal(2, 2, levels.totalSize(), 16);
        INDArray boxes = TestArrays.uniform(3, 0, 1, 2, 4, 2, 4);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, 2, levels.totalSize());
        mask.putScalar(new long[]{1, 4}, 1);
        mask.putScalar(new long[]{1, 33}, 1);
        Built b = build(cfg, null, query, boxes, input, mask, levels);
        Map<String, INDArray> out = b.sd().output(b.feed(), "out", "out_attention_weights");
        INDArray ref = MSDeformAttnReference.forward(cfg, current(b.module()), query, boxes, input, levels, mask);
        assertTrue(TestArrays.maxAbsDiff(ref, out.get("out")) < 1e-12);
        // zero attention_weights projection: uniform weights 1/(L*P)
        assertEquals(0, out.get("out_attention_weights").sub(1.0 / 6).amaxNumber().doubleValue(), 1e-15);
    }

    @ParameterizedTest
    @ValueSource(strings = {"module_d32_h4_L3_P2_ref2_mask", "module_d32_h4_L3_P2_ref4"})
    void finiteDifferencesWrtParameters(String caseName) {
        Fixture f = Fixture.load("msdeform_attn", caseName);
        LevelShapes levels = LevelShapes.fromArrays(f.npy("input_spatial_shapes"), null);
        INDArray mask = f.has("input_padding_mask") ? f.npy("input_padding_mask", DataType.DOUBLE) : null;
        Built b = build(config(f), params(f), f.npy("query"), f.npy("reference_points"), f.npy("input_flatten"), mask, levels);
        for (String k : new String[]{"sampling_offsets.weight", "attention_weights.weight", "value_proj.weight", "output_proj.bias"}) {
            CentralDifference.Result r = CentralDifference.check(b.sd(), "loss", b.feed(), PREFIX + "." + k, 6, 1e-6, 3);
            System.out.println(caseName + " finite differences " + r);
            assertTrue(r.maxAbsGradient() > 0, "all probed gradients zero for " + k);
            assertTrue(r.maxAbsError() < 1e-7 && r.maxRelError() < 1e-6, r.toString());
        }
    }

    @Test
    void badInputIsNamed() {
        MSDeformAttnConfig cfg = MSDeformAttnConfig.builder().dModel(8).nHeads(2).nLevels(2).nPoints(1).build();
        SameDiff sd = SameDiff.create();
        MSDeformAttn m = MSDeformAttn.create(new ParamFactory(sd, DataType.DOUBLE, 1), "a", cfg);
        SDVariable q = sd.placeHolder("q", DataType.DOUBLE, -1, 3, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward("o", q, q, MSDeformAttn.Reference.POINTS,
                q, LevelShapes.of(new int[][]{{2, 2}}), null));
        assertTrue(e.getMessage().contains("n_levels"), e.getMessage());
        Map<String, INDArray> wrong = new HashMap<>();
        m.parameters().forEach((k, v) -> wrong.put(v.name(), v.getArr()));
        wrong.put("a.value_proj.bias", Nd4j.zeros(DataType.DOUBLE, 3));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> new WeightLoader().load(new StateDict(wrong, "ckpt"), sd));
        assertTrue(e2.getMessage().contains("a.value_proj.bias"), e2.getMessage());
    }

    @Test
    void configJsonRoundTrip() {
        MSDeformAttnConfig c = MSDeformAttnConfig.builder().dModel(64).nHeads(8).nLevels(4).nPoints(4).build();
        assertEquals("{\"d_model\":64,\"n_levels\":4,\"n_heads\":8,\"n_points\":4}", c.toJson());
        assertEquals(c, MSDeformAttnConfig.fromJson(c.toJson()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MSDeformAttnConfig.fromJson("{\"d_model\":64,\"n_levels\":4,\"n_heads\":8,\"n_point\":4}"));
        assertTrue(e.getMessage().contains("n_point"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MSDeformAttnConfig.builder().dModel(30).nHeads(8).build());
    }

    @Test
    void floatGraphMatchesDoubleFixture() {
        Fixture f = Fixture.load("msdeform_attn", "module_d32_h4_L3_P2_ref2_mask");
        LevelShapes levels = LevelShapes.fromArrays(f.npy("input_spatial_shapes"), null);
        SameDiff sd = SameDiff.create();
        MSDeformAttn m = MSDeformAttn.create(new ParamFactory(sd, DataType.FLOAT, 1), "", config(f));
        new WeightLoader().load(new StateDict(params(f), "fixture params"), sd);
        m.forward("out", sd.constant(f.npy("query", DataType.FLOAT)), sd.constant(f.npy("reference_points", DataType.FLOAT)),
                MSDeformAttn.Reference.POINTS, sd.constant(f.npy("input_flatten", DataType.FLOAT)), levels,
                sd.constant(f.npy("input_padding_mask")));
        INDArray out = sd.output(Map.of(), "out").get("out");
        assertEquals(DataType.FLOAT, out.dataType());
        double d = TestArrays.maxAbsDiff(f.npy("output"), out);
        System.out.printf("FLOAT graph vs float64 fixture: %.2e%n", d);
        assertTrue(d < 1e-4, "float32 vs float64 fixture " + d);
    }
}
