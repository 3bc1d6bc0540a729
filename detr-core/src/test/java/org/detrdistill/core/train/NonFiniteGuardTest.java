package org.detrdistill.core.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The non-finite guard names the step and the offending loss term or gradient. */
class NonFiniteGuardTest {

    @Test
    void listenerStopsOnNonFiniteLossTerm() {
        NonFiniteGuard guard = new NonFiniteGuard();
        StepMetrics ok = new StepMetrics(3, 0, 1.0, Map.of("loss_ce", 0.5, "loss_bbox", 0.5), Map.of("loss_bbox", 0.1), 1e-4, 2.0, 5.0);
        assertDoesNotThrow(() -> guard.onStepEnd(ok));
        StepMetrics bad = new StepMetrics(41, 2, 1.0, Map.of("loss_ce", 0.5, "loss_giou_3", Double.POSITIVE_INFINITY),
                Map.of(), 1e-4, 2.0, 5.0);
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> guard.onStepEnd(bad));
        assertEquals(41, e.step());
        assertEquals("loss_giou_3", e.term());
        assertTrue(e.getMessage().contains("step 41") && e.getMessage().contains("loss_giou_3 = Infinity"), e.getMessage());
        StepMetrics badTotal = new StepMetrics(5, 0, Double.NaN, Map.of(), Map.of(), 1e-4, 2.0, 5.0);
        assertEquals("total loss", assertThrows(NonFiniteException.class, () -> guard.onStepEnd(badTotal)).term());
    }

    @Test
    void outputsWithNanOrInfinityAreNamed() {
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        outputs.put("pred_logits", Nd4j.createFromArray(new float[][] {{1f, 2f}, {3f, 4f}}));
        outputs.put("indices", Nd4j.createFromArray(1, 2));
        assertDoesNotThrow(() -> NonFiniteGuard.checkOutputs(3, outputs));
        outputs.put("pred_boxes", Nd4j.createFromArray(0.5f, Float.NEGATIVE_INFINITY));
        NonFiniteException inf = assertThrows(NonFiniteException.class, () -> NonFiniteGuard.checkOutputs(3, outputs));
        assertEquals("output pred_boxes", inf.term());
        assertEquals(Double.NEGATIVE_INFINITY, inf.value());
        outputs.put("a_hidden", Nd4j.createFromArray(Float.NaN, 1f));
        NonFiniteException nan = assertThrows(NonFiniteException.class, () -> NonFiniteGuard.checkOutputs(7, outputs));
        assertEquals("output a_hidden", nan.term(), "name order");
        assertTrue(nan.getMessage().contains("step 7") && nan.getMessage().contains("= NaN"), nan.getMessage());
    }

    @Test
    void gradientsScannedOnlyWhenTheNormIsNotFinite() {
        Map<String, INDArray> grads = new LinkedHashMap<>();
        grads.put("b.weight", Nd4j.createFromArray(1f, 2f));
        grads.put("a.weight", Nd4j.createFromArray(1f, Float.NaN));
        grads.put("c.weight", Nd4j.createFromArray(Float.NEGATIVE_INFINITY));
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> NonFiniteGuard.checkGradients(9, grads, GradientClipper.globalNorm(grads)));
        assertEquals("gradient of a.weight", e.term());
        grads.remove("a.weight");
        assertEquals("gradient of c.weight", assertThrows(NonFiniteException.class,
                () -> NonFiniteGuard.checkGradients(9, grads, Double.NaN)).term());
        // finite entries whose float norm overflows
        Map<String, INDArray> huge = Map.of("w", Nd4j.createFromArray(3e38f, 3e38f));
        assertEquals("global gradient norm (overflow)", assertThrows(NonFiniteException.class,
                () -> NonFiniteGuard.checkGradients(2, huge, Double.POSITIVE_INFINITY)).term());
        assertDoesNotThrow(() -> NonFiniteGuard.checkGradients(2, Map.of("w", Nd4j.createFromArray(1f)), 1.0));
    }
}
