package org.detrdistill.core.train;

import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GradientStep} on {@link TinyMlp}: one fused forward+backward, guard before update, clipping, frozen names. */
class GradientStepTest {
    private static final ParamGroups GROUPS = ParamGroups.builder().freezeKeywords("frozen.").build();

    @Test
    void mlpGradientsPassFiniteDifferenceCheck() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            SameDiff sd = TinyMlp.build(DataType.DOUBLE, 3, 0, 16);
            INDArray[] data = TinyMlp.dataset(16, DataType.DOUBLE);
            Map<String, INDArray> feed = Map.of("x", data[0], "y", data[1]);
            var bad = CentralDifference.failures(sd, "loss", feed, GROUPS.trainableParameters(sd), 40, 1e-6, 1e-5, 7);
            assertTrue(bad.isEmpty(), "gradient mismatches: " + bad);
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @Test
    void fusedPassEqualsSeparateOutputAndGradients() {
        SameDiff sd = TinyMlp.build(DataType.FLOAT, 3, 0, 8);
        Map<String, INDArray> feed = TinyMlp.batch(TinyMlp.dataset(32, DataType.FLOAT), new SplittableRandom(1), 8);
        List<String> params = GROUPS.trainableParameters(sd);
        OutAndGrad og = sd.calculateGradientsAndOutputs(feed, TinyMlp.OUTPUTS, params);
        Map<String, INDArray> out = sd.output(feed, TinyMlp.OUTPUTS.toArray(String[]::new));
        Map<String, INDArray> grads = sd.calculateGradients(feed, params);
        for (String o : TinyMlp.OUTPUTS) assertEquals(out.get(o).getDouble(0), og.getOutputs().get(o).getDouble(0), 0, o);
        for (String p : params) assertEquals(grads.get(p), og.getGradients().get(p), p);
        double weighted = og.getOutputs().get("loss_mse").getDouble(0) + og.getOutputs().get("loss_l1").getDouble(0);
        assertEquals(weighted, og.getOutputs().get("loss").getDouble(0), 1e-6);
    }

    @Test
    void stepUpdatesTrainableParametersOnlyAndReducesLoss() {
        SameDiff sd = TinyMlp.build(DataType.FLOAT, 3, 0, 16);
        INDArray[] data = TinyMlp.dataset(16, DataType.FLOAT);
        Map<String, INDArray> feed = Map.of("x", data[0], "y", data[1]);
        GradientStep step = new GradientStep(new AdamW(AdamWConfig.detr(), GROUPS), LrSchedule.constant(1e-2),
                new GradientClipper(0.1));
        INDArray w1Before = sd.getArrForVarName("layer1.weight").dup();
        StepResult first = step.run(sd, feed, TinyMlp.OUTPUTS, 0);
        assertNotEquals(w1Before, sd.getArrForVarName("layer1.weight"), "the graph's own array is updated in place");
        assertEquals(1.5f, sd.getArrForVarName("frozen.scale").getFloat(0), "frozen parameter unchanged");
        assertNull(step.optimizer().state("frozen.scale"));
        assertEquals(4, step.optimizer().size());
        assertTrue(first.clipped(), "norm " + first.gradNorm() + " > 0.1 must be clipped");
        assertEquals(1e-2, first.lr());
        StepResult last = first;
        for (int k = 1; k < 20; k++) last = step.run(sd, feed, TinyMlp.OUTPUTS, k);
        assertTrue(last.output("loss") < 0.5 * first.output("loss"), first.output("loss") + " -> " + last.output("loss"));
        assertEquals(20, step.optimizer().state("layer2.bias").step());
    }

    @Test
    void nonFiniteLossOrGradientStopsBeforeTheUpdate() {
        SameDiff sd = TinyMlp.build(DataType.FLOAT, 3, 0, 4);
        AdamW adamw = new AdamW(AdamWConfig.detr(), GROUPS);
        GradientStep step = new GradientStep(adamw, LrSchedule.constant(1e-2), GradientClipper.off());
        INDArray[] data = TinyMlp.dataset(4, DataType.FLOAT);
        step.run(sd, Map.of("x", data[0], "y", data[1]), TinyMlp.OUTPUTS, 0);
        Map<String, INDArray> before = snapshot(sd);
        AdamW.ParamState stateBefore = adamw.state("layer1.weight").copy();

        INDArray badY = data[1].dup();
        badY.putScalar(2, 1, Float.NaN);
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> step.run(sd, Map.of("x", data[0], "y", badY), TinyMlp.OUTPUTS, 1));
        assertEquals(1, e.step());
        assertEquals("l1", e.term(), "first non-finite output in name order");
        assertTrue(e.getMessage().contains("step 1") && e.getMessage().contains("l1"), e.getMessage());
        assertEquals(before, snapshot(sd));
        assertEquals(stateBefore.expAvg(), adamw.state("layer1.weight").expAvg());
        assertEquals(1, adamw.state("layer1.weight").step());

        // a gradient-only problem: the requested outputs are finite, the loss variable's gradient is not
        NonFiniteException g = assertThrows(NonFiniteException.class,
                () -> step.run(sd, Map.of("x", data[0], "y", badY), List.of(), 7));
        assertTrue(g.term().startsWith("gradient of "), g.term());
        assertEquals(7, g.step());
        assertEquals(before, snapshot(sd));
    }

    @Test
    void rejectsGraphsWithoutLossAndUnknownOutputs() {
        SameDiff sd = TinyMlp.build(DataType.FLOAT, 3, 0, 4);
        GradientStep step = new GradientStep(new AdamW(AdamWConfig.detr(), GROUPS), LrSchedule.constant(1e-3), GradientClipper.off());
        INDArray[] data = TinyMlp.dataset(4, DataType.FLOAT);
        Map<String, INDArray> feed = Map.of("x", data[0], "y", data[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step.run(sd, feed, List.of("nope"), 0));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> step.run(sd, feed, List.of("pred"), 0));
        assertTrue(e.getMessage().contains("'pred'") && e.getMessage().contains("scalar"), e.getMessage());
    }

    static Map<String, INDArray> snapshot(SameDiff sd) {
        Map<String, INDArray> m = new HashMap<>();
        sd.variables().forEach(v -> { if (v.getArr() != null && v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) m.put(v.name(), v.getArr().dup()); });
        return m;
    }
}
