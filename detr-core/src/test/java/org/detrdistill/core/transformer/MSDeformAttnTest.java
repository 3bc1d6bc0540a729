package org.detrdistill.core.transformer;

import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
class MSDeformAttnTest {
    private static final String PREFIX = "transformer.encoder.layers.0.self_attn.";

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** A graph with placeholders query/ref/input(/mask) of dynamic batch, the module and loss = sum(out * R). */
    private record Built(SameDiff sd, MSDeformAttn module, Map<String, INDArray> feed) {}

    private static Built build(MSDeformAttnConfig cfg, Map<String, INDArray> stateDict, INDArray query, INDArray ref,
                               INDArray input, INDArray mask, LevelShapes levels) {
        SameDiff sd = SameDiff.create();
        MSDeformAttn m = MSDeformAttn.load(sd, PREFIX, cfg, DataType.DOUBLE, stateDict);
        SDVariable q = sd.placeHolder("query", DataType.DOUBLE, -1, query.size(1), query.size(2));
        SDVariable r = sd.placeHolder("ref", DataType.DOUBLE, -1, ref.size(1), ref.size(2), ref.size(3));
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

    private static Map<String, INDArray> params(Fixture f, String prefix) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String k : MSDeformAttn.PARAMETER_KEYS) m.put(prefix + k, f.npy("params/" + k, DataType.DOUBLE));
        return m;
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
        Built b = build(cfg, params(f, PREFIX), f.npy("query"), f.npy("reference_points"), f.npy("input_flatten"), mask, levels);
        for (String k : MSDeformAttn.PARAMETER_KEYS) assertNotNull(b.sd().getVariable(PREFIX + k), k);

        Map<String, INDArray> out = b.sd().output(b.feed(), "out", "out_sampling_locations", "out_attention_weights", "out_value");
        INDArray expected = f.npy("output", DataType.DOUBLE);
        double dOut = TestArrays.maxAbsDiff(expected, out.get("out"));
        double dLoc = TestArrays.maxAbsDiff(f.npy("intermediate/sampling_locations"), out.get("out_sampling_locations"));
        double dAw = TestArrays.maxAbsDiff(f.npy("intermediate/attention_weights"), out.get("out_attention_weights"));
        double dVal = TestArrays.maxAbsDiff(f.npy("intermediate/value"), out.get("out_value"));
        INDArray ref = MSDeformAttnReference.forward(cfg, params(f, ""), f.npy("query"), f.npy("reference_points"),
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
        Built b = build(config(f), params(f, PREFIX), f.npy("query"), f.npy("reference_points"), f.npy("input_flatten"), null, levels);
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
        Map<String, INDArray> p = MSDeformAttn.initialParameters(cfg, 5);
        INDArray bias = p.get("sampling_offsets.bias").reshape(8, 2, 3, 2);
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
        assertEquals(0, p.get("sampling_offsets.weight").amaxNumber().doubleValue());
        assertEquals(0, p.get("attention_weights.weight").amaxNumber().doubleValue());
        assertEquals(0, p.get("attention_weights.bias").amaxNumber().doubleValue());
        double bound = Math.sqrt(6.0 / 128);
        for (String w : new String[]{"value_proj.weight", "output_proj.weight"}) {
            double max = p.get(w).amaxNumber().doubleValue();
            assertTrue(max <= bound && max > 0.9 * bound, w + " max " + max + " bound " + bound);
        }
        assertTrue(TestArrays.maxAbsDiff(p.get("value_proj.weight"), MSDeformAttn.initialParameters(cfg, 5).get("value_proj.weight")) == 0,
                "same seed, same draw");
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
        Map<String, INDArray> init = MSDeformAttn.initialParameters(cfg, 9);
        Map<String, INDArray> prefixed = new LinkedHashMap<>();
        init.forEach((k, v) -> prefixed.put(PREFIX + k, v));
        Built b = build(cfg, prefixed, query, boxes, input, mask, levels);
        Map<String, INDArray> out = b.sd().output(b.feed(), "out", "out_attention_weights");
        INDArray ref = MSDeformAttnReference.forward(cfg, init, query, boxes, input, levels, mask);
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
        Built b = build(config(f), params(f, PREFIX), f.npy("query"), f.npy("reference_points"), f.npy("input_flatten"), mask, levels);
        for (String k : new String[]{"sampling_offsets.weight", "attention_weights.weight", "value_proj.weight", "output_proj.bias"}) {
            GradientCheck.Result r = GradientCheck.check(b.sd(), b.feed(), "loss", PREFIX + k, 6, 1e-6, 3);
            System.out.printf("%s finite differences d loss / d %s: max abs err %.2e, rel %.2e over %d (max |grad| %.2e)%n",
                    caseName, k, r.maxAbsError(), r.maxRelError(), r.probed(), r.maxAbsGradient());
            assertTrue(r.maxAbsGradient() > 0, "all probed gradients zero for " + k);
            assertTrue(r.maxAbsError() < 1e-7, k + ": " + r);
        }
    }

    @Test
    void badInputIsNamed() {
        MSDeformAttnConfig cfg = MSDeformAttnConfig.builder().dModel(8).nHeads(2).nLevels(2).nPoints(1).build();
        Map<String, INDArray> init = MSDeformAttn.initialParameters(cfg, 1);
        init.remove("value_proj.bias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MSDeformAttn.load(SameDiff.create(), "", cfg, DataType.DOUBLE, init));
        assertTrue(e.getMessage().contains("value_proj.bias"), e.getMessage());

        SameDiff sd = SameDiff.create();
        MSDeformAttn m = MSDeformAttn.create(sd, "a.", cfg, DataType.DOUBLE, 1);
        SDVariable q = sd.placeHolder("q", DataType.DOUBLE, -1, 3, 8);
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> m.forward("o", q, q, MSDeformAttn.Reference.POINTS,
                q, LevelShapes.of(new int[][]{{2, 2}}), null));
        assertTrue(e2.getMessage().contains("n_levels"), e2.getMessage());
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
        MSDeformAttn m = MSDeformAttn.load(sd, "", config(f), DataType.FLOAT, params(f, ""));
        m.forward("out", sd.constant(f.npy("query", DataType.FLOAT)), sd.constant(f.npy("reference_points", DataType.FLOAT)),
                MSDeformAttn.Reference.POINTS, sd.constant(f.npy("input_flatten", DataType.FLOAT)), levels,
                sd.constant(f.npy("input_padding_mask")));
        INDArray out = sd.output(Map.of(), "out").get("out");
        assertEquals(DataType.FLOAT, out.dataType());
        double d = TestArrays.maxAbsDiff(f.npy("output"), out);
        assertTrue(d < 1e-4, "float32 vs float64 fixture " + d);
    }
}
