package org.detrdistill.core.transformer;

import org.detrdistill.core.testutil.DoublePrecision;
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

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MSDeformAttnCore} against the {@code msdeform_attn/core_*} fixtures (forward and the gradients of
 * {@code sum(output * R)}), against {@link MSDeformAttnCoreReference}, and by central differences, in DOUBLE.
 */
@ExtendWith(DoublePrecision.class)
class MSDeformAttnCoreTest {


    /** The graph {@code loss = sum(core(value, loc, aw) * R)} with value, loc and aw as variables. */
    private static SameDiff graph(Fixture f) {
        LevelShapes levels = LevelShapes.fromArrays(f.npy("spatial_shapes"), f.npy("level_start_index"));
        INDArray value = f.npy("value", DataType.DOUBLE);
        INDArray loc = f.npy("sampling_locations", DataType.DOUBLE);
        SameDiff sd = SameDiff.create();
        SDVariable v = sd.var("value", value);
        SDVariable l = sd.var("loc", loc);
        SDVariable a = sd.var("aw", f.npy("attention_weights", DataType.DOUBLE));
        SDVariable out = MSDeformAttnCore.forward(sd, "out", v, levels, (int) value.size(2), (int) value.size(3),
                (int) loc.size(4), l, a);
        SDVariable loss = out.mul(sd.constant("R", f.npy("R", DataType.DOUBLE))).sum("loss");
        sd.setLossVariables(loss);
        return sd;
    }

    @ParameterizedTest
    @ValueSource(strings = {"core_L3_B2_H2_D4_Lq7_P2", "core_L4_B1_H4_D8_Lq11_P4"})
    void forwardAndGradientsMatchFixture(String caseName) {
        Fixture f = Fixture.load("msdeform_attn", caseName);
        SameDiff sd = graph(f);
        INDArray out = sd.output(Map.of(), "out").get("out");
        double dOut = TestArrays.maxAbsDiff(f.npy("output", DataType.DOUBLE), out);
        assertTrue(dOut < 1e-9, "forward max |diff| " + dOut);

        LevelShapes levels = LevelShapes.fromArrays(f.npy("spatial_shapes"), null);
        INDArray ref = MSDeformAttnCoreReference.forward(f.npy("value"), levels, f.npy("sampling_locations"), f.npy("attention_weights"));
        double dRef = TestArrays.maxAbsDiff(ref, out);
        assertTrue(dRef < 1e-12, "SameDiff vs reference max |diff| " + dRef);

        Map<String, INDArray> g = sd.calculateGradients(Map.of(), "value", "loc", "aw");
        double dv = TestArrays.maxAbsDiff(f.npy("grad_value", DataType.DOUBLE), g.get("value"));
        double dl = TestArrays.maxAbsDiff(f.npy("grad_sampling_locations", DataType.DOUBLE), g.get("loc"));
        double da = TestArrays.maxAbsDiff(f.npy("grad_attention_weights", DataType.DOUBLE), g.get("aw"));
        System.out.printf("%s: forward %.2e, vs reference %.2e, grad value %.2e, grad loc %.2e, grad aw %.2e%n",
                caseName, dOut, dRef, dv, dl, da);
        assertTrue(dv < 1e-9, "grad value max |diff| " + dv);
        assertTrue(dl < 1e-9, "grad sampling_locations max |diff| " + dl);
        assertTrue(da < 1e-9, "grad attention_weights max |diff| " + da);
    }

    @Test
    void finiteDifferences() {
        SameDiff sd = graph(Fixture.load("msdeform_attn", "core_L3_B2_H2_D4_Lq7_P2"));
        for (String var : new String[]{"value", "loc", "aw"}) {
            CentralDifference.Result r = CentralDifference.check(sd, "loss", Map.of(), var, 16, 1e-6, 7);
            System.out.println("finite differences " + r);
            assertTrue(r.maxAbsGradient() > 0, "all probed gradients are zero for " + var);
            assertTrue(r.maxAbsError() < 1e-7 && r.maxRelError() < 1e-6, r.toString());
        }
    }
}
