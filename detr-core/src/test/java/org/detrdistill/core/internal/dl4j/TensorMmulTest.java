package org.detrdistill.core.internal.dl4j;

import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code sd.tensorMmul} (native {@code tensormmul}): the forward pass is right, the backward op {@code tensormmul_bp}
 * fails. The workaround the framework uses everywhere ({@code core.nn.Linear}, the attention and sampling code):
 * permute the contracted axes to the end of the left operand and the start of the right one, reshape both to 2-D and
 * use {@code mmul}, whose gradient is right.
 */
class TensorMmulTest {
    private static DataType saved;

    @BeforeAll static void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    /** x [2,3,4] contracted on axis 2 with y [4,6,7] on axis 0: z [2,3,6,7]. */
    private static SameDiff graph(boolean stock) {
        Nd4j.getRandom().setSeed(11);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.randn(DataType.DOUBLE, 2, 3, 4));
        SDVariable y = sd.var("y", Nd4j.randn(DataType.DOUBLE, 4, 6, 7));
        SDVariable z = stock ? sd.tensorMmul(x, y, new int[]{2}, new int[]{0})
                : sd.reshape(sd.mmul(sd.reshape(x, -1, 4), sd.reshape(y, 4, -1)), 2, 3, 6, 7);
        z.rename("z");
        z.mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 2, 3, 6, 7))).sum("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private static INDArray reference(SameDiff sd) {
        INDArray x = sd.getVariable("x").getArr(), y = sd.getVariable("y").getArr();
        return x.reshape(6, 4).mmul(y.reshape(4, 42)).reshape(2, 3, 6, 7);
    }

    @Test
    void stockForwardIsRightButItsGradientFails() {
        SameDiff sd = graph(true);
        INDArray z = sd.output(Map.of(), "z").get("z");
        assertEquals(0, z.sub(reference(sd)).amaxNumber().doubleValue(), 1e-12, "forward");
        RuntimeException e = assertThrows(RuntimeException.class, () -> sd.calculateGradients(Map.of(), "x", "y"),
                "tensormmul_bp works now? then the workaround can go");
        assertTrue(String.valueOf(e.getMessage()).contains("tensormmul_bp")
                || String.valueOf(e.getMessage()).contains("evalShapeForTensorDot"), e.getMessage());
    }

    @Test
    void reshapeAndMmulGivesTheSameValueWithARightGradient() {
        SameDiff sd = graph(false);
        INDArray z = sd.output(Map.of(), "z").get("z");
        assertEquals(0, z.sub(reference(sd)).amaxNumber().doubleValue(), 1e-12, "forward");
        var results = CentralDifference.checkAll(sd, "loss", Map.of(), List.of("x", "y"), 12, 1e-6, 3);
        for (CentralDifference.Result r : results) assertTrue(r.maxRelError() < 1e-6, r.toString());
    }
}
