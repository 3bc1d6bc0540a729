package org.detrdistill.core.internal.dl4j;

import org.detrdistill.core.testutil.FiniteDifference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BroadcastSafeTest {
    interface Op { SDVariable apply(SameDiff sd, SDVariable a, SDVariable b); }

    private static INDArray a;
    private static INDArray b;
    private static INDArray r;

    @BeforeAll
    static void data() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(7);
        a = Nd4j.rand(DataType.DOUBLE, 3, 1, 4);
        b = Nd4j.rand(DataType.DOUBLE, 1, 5, 4);
        r = Nd4j.rand(DataType.DOUBLE, 3, 5, 4).addi(0.5);
    }

    /** Largest deviation between backprop and central differences over both inputs of {@code sum(op(a,b) * r)}. */
    private static double gradError(Op op, INDArray expectedForward) {
        SameDiff sd = SameDiff.create();
        SDVariable av = sd.placeHolder("a", DataType.DOUBLE, -1, 1, 4);
        SDVariable bv = sd.placeHolder("b", DataType.DOUBLE, 1, -1, 4);
        SDVariable out = op.apply(sd, av, bv).rename("out");
        out.mul(sd.constant(r)).sum().rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> feed = Map.of("a", a, "b", b);
        assertEquals(0.0, FiniteDifference.maxAbsDiff(sd.output(feed, "out").get("out"), expectedForward), 0.0);
        Map<String, INDArray> g = FiniteDifference.analytic(sd, feed, "a", "b");
        for (String in : new String[]{"a", "b"}) {
            if (!java.util.Arrays.equals(g.get(in).shape(), feed.get(in).shape())) {
                System.out.println("gradient w.r.t. " + in + " has shape " + java.util.Arrays.toString(g.get(in).shape())
                        + ", input " + java.util.Arrays.toString(feed.get(in).shape()));
                return Double.POSITIVE_INFINITY;   // wrong shape: as wrong as it gets
            }
        }
        return Math.max(
                FiniteDifference.maxAbsDiff(g.get("a"), FiniteDifference.numeric(sd, "loss", feed, "a", 1e-6)),
                FiniteDifference.maxAbsDiff(g.get("b"), FiniteDifference.numeric(sd, "loss", feed, "b", 1e-6)));
    }

    private static INDArray full(INDArray x) {
        return x.broadcast(3, 5, 4);
    }

    @Test
    void stockMaxAndMinHaveWrongGradientsUnderTwoSidedBroadcast() {
        double eMax = gradError((sd, x, y) -> sd.math.max(x, y), Transforms.max(full(a), full(b)));
        double eMin = gradError((sd, x, y) -> sd.math.min(x, y), Transforms.min(full(a), full(b)));
        System.out.println("stock two-sided broadcast max: gradient error " + eMax + ", min: " + eMin);
        assertTrue(eMax > 1e-2, "max " + eMax);
        assertTrue(eMin > 1e-2, "min " + eMin);
    }

    @Test
    void broadcastSafeMaxAndMinMatchFiniteDifferences() {
        assertEquals(0.0, gradError(BroadcastSafe::max, Transforms.max(full(a), full(b))), 1e-7);
        assertEquals(0.0, gradError(BroadcastSafe::min, Transforms.min(full(a), full(b))), 1e-7);
    }

    @Test
    void expandBroadcastsWithACorrectGradient() {
        assertEquals(0.0, gradError((sd, x, y) -> BroadcastSafe.expand(sd, x, y).mul(
                BroadcastSafe.expand(sd, y, x)), full(a).mul(full(b))), 1e-7);
    }
}
