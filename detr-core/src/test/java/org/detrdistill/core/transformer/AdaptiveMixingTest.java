package org.detrdistill.core.transformer;

import org.detrdistill.core.testutil.DoublePrecision;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AdaptiveMixing} and {@link AdaptiveMixingReference} against {@code adamixer/adaptive_mixing_*}, against each
 * other with the initialisation, and by central differences w.r.t. parameters and inputs, in DOUBLE.
 */
@ExtendWith(DoublePrecision.class)
class AdaptiveMixingTest {
    private static final String CASE = "adaptive_mixing_G4_P8_C32_q48_out12";
    private static final String PREFIX = "sampling_n_mixing.adaptive_mixing";

    private static AdaptiveMixingConfig config(Fixture f) {
        var c = f.config();
        return AdaptiveMixingConfig.builder().inDim(c.get("in_dim").asInt()).inPoints(c.get("in_points").asInt())
                .nGroups(c.get("n_groups").asInt()).queryDim(c.get("query_dim").asInt()).outDim(c.get("out_dim").asInt())
                .outPoints(c.get("out_points").asInt()).build();
    }

    private static Map<String, INDArray> params(Fixture f) {
        return StateDict.readNpyFolder(f.dir().resolve("params")).asMap();
    }

    private record Built(SameDiff sd, AdaptiveMixing module) {}

    /** x and query as variables (for finite differences), loss = sum(out * R); {@code stateDict} null = initialisation. */
    private static Built graph(AdaptiveMixingConfig cfg, Map<String, INDArray> stateDict, INDArray x, INDArray query) {
        SameDiff sd = SameDiff.create();
        AdaptiveMixing m = AdaptiveMixing.create(new ParamFactory(sd, DataType.DOUBLE, 4), PREFIX, cfg);
        if (stateDict != null) {
            new WeightLoader().rule(WeightLoader.Rule.rename(k -> PREFIX + "." + k)).load(new StateDict(stateDict, "fixture params"), sd);
        }
        SDVariable out = m.forward("out", sd.var("x", x), sd.var("query", query));
        sd.setLossVariables(out.mul(sd.constant("R", TestArrays.uniform(17, -1, 1, query.shape()))).sum("loss"));
        return new Built(sd, m);
    }

    @Test
    void forwardMatchesFixtureAndReference() {
        Fixture f = Fixture.load("adamixer", CASE);
        AdaptiveMixingConfig cfg = config(f);
        INDArray x = f.npy("x", DataType.DOUBLE), query = f.npy("query", DataType.DOUBLE);
        INDArray out = graph(cfg, params(f), x, query).sd().output(Map.of(), "out").get("out");
        INDArray ref = AdaptiveMixingReference.forward(cfg, params(f), x, query);
        INDArray expected = f.npy("output", DataType.DOUBLE);
        double dOut = TestArrays.maxAbsDiff(expected, out), dRef = TestArrays.maxAbsDiff(expected, ref), dBoth = TestArrays.maxAbsDiff(ref, out);
        System.out.printf("%s: output %.2e, reference %.2e, SameDiff vs reference %.2e%n", CASE, dOut, dRef, dBoth);
        assertTrue(dOut < 1e-9 && dRef < 1e-9 && dBoth < 1e-9, dOut + " " + dRef + " " + dBoth);
    }

    @Test
    void dynamicBatchAndQueries() {
        Fixture f = Fixture.load("adamixer", CASE);
        AdaptiveMixingConfig cfg = config(f);
        SameDiff sd = SameDiff.create();
        AdaptiveMixing m = AdaptiveMixing.create(new ParamFactory(sd, DataType.DOUBLE, 1), PREFIX, cfg);
        new WeightLoader().rule(WeightLoader.Rule.rename(k -> PREFIX + "." + k)).load(new StateDict(params(f), "fixture params"), sd);
        m.forward("out", sd.placeHolder("x", DataType.DOUBLE, -1, -1, 4, 8, 8), sd.placeHolder("query", DataType.DOUBLE, -1, -1, 48));
        INDArray out = sd.output(Map.of("x", f.npy("x"), "query", f.npy("query")), "out").get("out");
        assertTrue(TestArrays.maxAbsDiff(f.npy("output"), out) < 1e-9);
    }

    @Test
    void finiteDifferences() {
        Fixture f = Fixture.load("adamixer", CASE);
        SameDiff sd = graph(config(f), params(f), f.npy("x", DataType.DOUBLE), f.npy("query", DataType.DOUBLE)).sd();
        for (String var : new String[]{"x", "query", PREFIX + ".parameter_generator.0.weight", PREFIX + ".parameter_generator.0.bias",
                PREFIX + ".out_proj.weight"}) {
            CentralDifference.Result r = CentralDifference.check(sd, "loss", Map.of(), var, 6, 1e-6, 21);
            System.out.println("finite differences " + r);
            assertTrue(r.maxAbsGradient() > 0, "all probed gradients zero for " + var);
            assertTrue(r.maxAbsError() < 1e-7 && r.maxRelError() < 1e-6, r.toString());
        }
    }

    @Test
    void initialisedModuleMatchesReference() {
        AdaptiveMixingConfig cfg = AdaptiveMixingConfig.builder().inDim(16).inPoints(4).nGroups(2).queryDim(12).outDim(8).outPoints(6).build();
        INDArray x = TestArrays.normal(1, 2, 3, 2, 4, 8), query = TestArrays.normal(2, 2, 3, 12);
        Built b = graph(cfg, null, x, query);
        Map<String, INDArray> init = new HashMap<>();
        b.module().parameters().forEach((k, v) -> init.put(k, v.getArr().dup()));
        assertEquals(0, init.get("parameter_generator.0.weight").amaxNumber().doubleValue());
        double genBound = 1 / Math.sqrt(12), genMax = init.get("parameter_generator.0.bias").amaxNumber().doubleValue();
        assertTrue(genMax <= genBound && genMax > 0.5 * genBound, "generator bias bound " + genBound + ", max " + genMax);
        double bound = Math.sqrt(6.0 / (12 + 48));      // out_proj [12, 4*6*2]
        double maxW = init.get("out_proj.weight").amaxNumber().doubleValue();
        assertTrue(maxW <= bound && maxW > 0.8 * bound, "xavier bound " + bound + ", max " + maxW);
        INDArray out = b.sd().output(Map.of(), "out").get("out");
        assertTrue(TestArrays.maxAbsDiff(AdaptiveMixingReference.forward(cfg, init, x, query), out) < 1e-12);
    }

    @Test
    void configJsonAndBadInput() {
        AdaptiveMixingConfig c = AdaptiveMixingConfig.builder().inDim(64).inPoints(8).outPoints(16).queryDim(64).outDim(64).build();
        assertEquals(c, AdaptiveMixingConfig.fromJson(c.toJson()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveMixingConfig.fromJson(c.toJson().replace("{", "{\"n_heads\":2,")));
        assertTrue(e.getMessage().contains("n_heads") && e.getMessage().contains("out_points"), e.getMessage());
        Map<String, INDArray> wrong = new HashMap<>(Map.of("out_proj.bias", Nd4j.zeros(DataType.DOUBLE, 3)));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveMixingReference.forward(c, wrong, Nd4j.zeros(DataType.DOUBLE, 1, 1, 4, 8, 16), Nd4j.zeros(DataType.DOUBLE, 1, 1, 64)));
        assertTrue(e2.getMessage().contains("parameter_generator.0.weight"), e2.getMessage());
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveMixingReference.forward(c, wrong, Nd4j.zeros(DataType.DOUBLE, 1, 1, 4, 8, 8), Nd4j.zeros(DataType.DOUBLE, 1, 1, 64)));
        assertTrue(e3.getMessage().contains("x must be"), e3.getMessage());
    }
}
