package org.detrdistill.core.transformer;

import org.detrdistill.core.testutil.DoublePrecision;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sampling3D} and {@link Sampling3DReference} against {@code adamixer/sampling3d_*} (forward and level weights),
 * against each other, and by central differences w.r.t. the feature maps and the sample points, in DOUBLE.
 */
@ExtendWith(DoublePrecision.class)
class Sampling3DTest {
    private static final String CASE = "sampling3d_B2_N5_G4_P8_C32";


    private static Sampling3DConfig config(Fixture f) {
        int[] strides = new int[f.config().get("featmap_strides").size()];
        for (int i = 0; i < strides.length; i++) strides[i] = f.config().get("featmap_strides").get(i).asInt();
        return Sampling3DConfig.builder().channels(f.config().get("C").asInt()).nGroups(f.config().get("n_groups").asInt())
                .nPoints(f.config().get("n_points").asInt()).featmapStrides(strides).tau(f.config().get("tau").asDouble()).build();
    }

    private static List<INDArray> values(Fixture f) {
        List<INDArray> v = new ArrayList<>();
        for (int l = 0; l < 4; l++) v.add(f.npy("value_" + l, DataType.DOUBLE));
        return v;
    }

    /** Graph with the feature maps and sample points as variables; loss = sum(out * R). */
    private static SameDiff graph(Sampling3DConfig cfg, List<INDArray> values, INDArray points) {
        SameDiff sd = SameDiff.create();
        List<SDVariable> maps = new ArrayList<>();
        int[][] hw = new int[values.size()][];
        for (int l = 0; l < values.size(); l++) {
            maps.add(sd.var("value_" + l, values.get(l)));
            hw[l] = new int[]{(int) values.get(l).size(2), (int) values.get(l).size(3)};
        }
        SDVariable out = Sampling3D.forward(sd, "out", cfg, LevelShapes.of(hw), maps, sd.var("points", points));
        long[] shape = {points.size(0), points.size(1), cfg.nGroups(), cfg.nPoints(), cfg.channelsPerGroup()};
        sd.setLossVariables(out.mul(sd.constant("R", TestArrays.uniform(5, -1, 1, shape))).sum("loss"));
        return sd;
    }

    @Test
    void forwardMatchesFixtureAndReference() {
        Fixture f = Fixture.load("adamixer", CASE);
        Sampling3DConfig cfg = config(f);
        INDArray points = f.npy("sample_points", DataType.DOUBLE);
        SameDiff sd = graph(cfg, values(f), points);
        Map<String, INDArray> out = sd.output(Map.of(), "out", "out_level_weights");
        INDArray expected = f.npy("output", DataType.DOUBLE);
        INDArray ref = Sampling3DReference.forward(cfg, values(f), points);
        double dOut = TestArrays.maxAbsDiff(expected, out.get("out"));
        double dRef = TestArrays.maxAbsDiff(expected, ref);
        double dBoth = TestArrays.maxAbsDiff(ref, out.get("out"));
        INDArray expectedW = f.npy("intermediate/level_weights", DataType.DOUBLE);
        double dW = TestArrays.maxAbsDiff(expectedW, out.get("out_level_weights").reshape(expectedW.shape()));
        double dWRef = TestArrays.maxAbsDiff(expectedW, Sampling3DReference.levelWeights(cfg, points));
        System.out.printf("%s: output %.2e, reference %.2e, SameDiff vs reference %.2e, level weights %.2e (reference %.2e)%n",
                CASE, dOut, dRef, dBoth, dW, dWRef);
        assertTrue(dOut < 1e-9 && dRef < 1e-9 && dBoth < 1e-12, dOut + " " + dRef + " " + dBoth);
        assertTrue(dW < 1e-12 && dWRef < 1e-12, dW + " " + dWRef);
    }

    @Test
    void finiteDifferences() {
        Fixture f = Fixture.load("adamixer", CASE);
        // fewer queries than the fixture to keep the check short
        INDArray points = f.npy("sample_points", DataType.DOUBLE).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).dup();
        SameDiff sd = graph(config(f), values(f), points);
        for (String var : new String[]{"points", "value_0", "value_2", "value_3"}) {
            CentralDifference.Result r = CentralDifference.check(sd, "loss", Map.of(), var, var.equals("points") ? 12 : 6, 1e-6, 13);
            System.out.println("finite differences " + r);
            assertTrue(r.maxAbsGradient() > 0, "all probed gradients zero for " + var);
            assertTrue(r.maxAbsError() < 1e-7 && r.maxRelError() < 1e-6, r.toString());
        }
    }

    @Test
    void dynamicBatchAndQueries() {
        Fixture f = Fixture.load("adamixer", CASE);
        Sampling3DConfig cfg = config(f);
        SameDiff sd = SameDiff.create();
        List<SDVariable> maps = new ArrayList<>();
        int[][] hw = new int[4][];
        List<INDArray> v = values(f);
        for (int l = 0; l < 4; l++) {
            maps.add(sd.placeHolder("value_" + l, DataType.DOUBLE, -1, 32, v.get(l).size(2), v.get(l).size(3)));
            hw[l] = new int[]{(int) v.get(l).size(2), (int) v.get(l).size(3)};
        }
        SDVariable pts = sd.placeHolder("points", DataType.DOUBLE, -1, -1, 1, 32, 3);
        Sampling3D.forward(sd, "out", cfg, LevelShapes.of(hw), maps, pts);
        INDArray points = f.npy("sample_points", DataType.DOUBLE);
        Map<String, INDArray> feed = new java.util.HashMap<>(Map.of("points", points));
        for (int l = 0; l < 4; l++) feed.put("value_" + l, v.get(l));
        assertTrue(TestArrays.maxAbsDiff(f.npy("output"), sd.output(feed, "out").get("out")) < 1e-9);
    }

    @Test
    void configJsonRoundTripAndValidation() {
        Sampling3DConfig c = Sampling3DConfig.builder().channels(64).nGroups(4).nPoints(8).featmapStrides(8, 16).tau(1.5).build();
        assertEquals(c, Sampling3DConfig.fromJson(c.toJson()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sampling3DConfig.fromJson(c.toJson().replace("{", "{\"temperature\":1,")));
        assertTrue(e.getMessage().contains("temperature") && e.getMessage().contains("featmap_strides"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sampling3DConfig.builder().channels(30).nGroups(4).build());
        assertEquals(3.0, Sampling3DConfig.builder().build().log2Stride(1));
    }
}
