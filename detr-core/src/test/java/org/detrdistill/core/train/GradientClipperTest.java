package org.detrdistill.core.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Global-norm clipping, hand-computed (torch parity of the norm and the clipped update is in {@link AdamWTest}). */
class GradientClipperTest {

    private static Map<String, INDArray> grads() {
        Map<String, INDArray> g = new LinkedHashMap<>();
        g.put("a", Nd4j.createFromArray(3.0, 0.0));
        g.put("b", Nd4j.createFromArray(new double[][] {{0.0}, {4.0}}));
        return g;
    }

    @Test
    void clipsToMaxNormAndReturnsPreClipNorm() {
        Map<String, INDArray> g = grads();
        double norm = new GradientClipper(1.0).clip(g);
        assertEquals(5.0, norm, 1e-15);
        double c = 1.0 / (5.0 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 0}, g.get("a").toDoubleVector(), 1e-15);
        assertEquals(4 * c, g.get("b").getDouble(1, 0), 1e-15);
        assertEquals(1.0, GradientClipper.globalNorm(g), 1e-6);
    }

    @Test
    void belowMaxNormOrOffLeavesGradientsAlone() {
        Map<String, INDArray> g = grads();
        assertEquals(5.0, new GradientClipper(10).clip(g), 1e-15);
        assertArrayEquals(new double[] {3, 0}, g.get("a").toDoubleVector());
        assertEquals(5.0, GradientClipper.off().clip(g), 1e-15);
        assertEquals(4.0, g.get("b").getDouble(1, 0));
    }

    @Test
    void nonFiniteNormIsReportedNotApplied() {
        Map<String, INDArray> g = grads();
        g.put("c", Nd4j.createFromArray(Double.NaN));
        assertTrue(Double.isNaN(new GradientClipper(1).clip(g)));
        assertArrayEquals(new double[] {3, 0}, g.get("a").toDoubleVector());
        assertThrows(IllegalArgumentException.class, () -> new GradientClipper(-1));
    }
}
