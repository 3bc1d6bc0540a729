package org.detrdistill.core.internal.dl4j;

import org.detrdistill.core.nn.LayerNorm;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two stock defects that {@link LayerNorm} works around: SameDiff reductions of rank ≥ 3 tensors with keepDims and a
 * negative axis return wrong values, and the fused {@code layer_norm} op has no epsilon.
 */
class NegativeAxisReductionTest {

    private static INDArray x() {
        return Nd4j.arange(12).castTo(DataType.DOUBLE).reshape(2, 2, 3);
    }

    @Test
    void keepDimsReductionOverANegativeAxisIsWrongOnRank3() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, -1, 3);
        in.mean(true, -1).rename("negative");
        in.mean(true, 2).rename("positive");
        Map<String, INDArray> out = sd.output(Map.of("x", x()), "negative", "positive");
        INDArray expected = x().mean(true, 2);                                   // [[1],[4]],[[7],[10]]
        assertEquals(expected, out.get("positive"), "positive axis is right");
        assertNotEquals(expected, out.get("negative"), "stock defect fixed? then simplify LayerNorm");
    }

    @Test
    void fusedLayerNormHasNoEpsilonButOursMatchesPyTorch() {
        double[] row = {0.001, 0.002, 0.0005, 0.0};                              // variance 5.5e-7
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, 4);
        SDVariable g = sd.constant(Nd4j.ones(DataType.DOUBLE, 4)), b = sd.constant(Nd4j.zeros(DataType.DOUBLE, 4));
        sd.nn.layerNorm("stock", in, g, b, false, 1);
        LayerNorm.apply(in, g, b, 4).rename("ours");
        Map<String, INDArray> out = sd.output(Map.of("x", Nd4j.createFromArray(new double[][]{row})), "stock", "ours");
        double mean = 0, var = 0;
        for (double v : row) mean += v / 4;
        for (double v : row) var += (v - mean) * (v - mean) / 4;
        double pytorch = (row[0] - mean) / Math.sqrt(var + LayerNorm.EPS);      // 0.0385
        assertEquals(pytorch, out.get("ours").getDouble(0, 0), 1e-12);
        assertTrue(Math.abs(out.get("stock").getDouble(0, 0) - pytorch) > 0.1, "stock: " + out.get("stock"));
    }
}
