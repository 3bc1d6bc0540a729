package org.detrdistill.core.internal.dl4j;

import org.detrdistill.core.testutil.FiniteDifference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LogSoftmaxTest {
    private static INDArray x;
    private static INDArray r;

    @BeforeAll
    static void data() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(3);
        x = Nd4j.randn(DataType.DOUBLE, 2, 3, 4).muli(3);
        r = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
    }

    private static SameDiff graph(boolean stock, int axis) {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.placeHolder("x", DataType.DOUBLE, 2, 3, 4);
        SDVariable out = stock ? sd.nn.logSoftmax(xv, axis) : LogSoftmax.of(sd, xv, axis);
        out.rename("out");
        out.mul(sd.constant(r)).sum().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    /** Plain double reference: x - log(sum(exp(x))) along {@code axis}. */
    private static double reference(int i, int j, int k, int axis) {
        long n = x.size(axis);
        double s = 0;
        for (int t = 0; t < n; t++) {
            int[] p = {i, j, k};
            p[axis] = t;
            s += Math.exp(x.getDouble(p[0], p[1], p[2]));
        }
        return x.getDouble(i, j, k) - Math.log(s);
    }

    @Test
    void stockLogSoftmaxWithAxisFailsInBackward() {
        SameDiff sd = graph(true, 1);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> FiniteDifference.analytic(sd, Map.of("x", x), "x"));
        assertTrue(String.valueOf(e.getMessage()).contains("LogSoftMax"), e.toString());
    }

    @Test
    void workaroundMatchesReferenceAndFiniteDifferencesOnEveryAxis() {
        for (int axis = 0; axis < 3; axis++) {
            SameDiff sd = graph(false, axis);
            INDArray out = sd.output(Map.of("x", x), "out").get("out");
            for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
                assertEquals(reference(i, j, k, axis), out.getDouble(i, j, k), 1e-12);
            }
            INDArray g = FiniteDifference.analytic(sd, Map.of("x", x), "x").get("x");
            assertEquals(0.0, FiniteDifference.maxAbsDiff(g,
                    FiniteDifference.numeric(sd, "loss", Map.of("x", x), "x", 1e-6)), 1e-8, "axis " + axis);
        }
    }

    @Test
    void workaroundIsStableForLargeLogits() {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.placeHolder("x", DataType.DOUBLE, 1, 2);
        LogSoftmax.of(sd, xv, 1).rename("out");
        INDArray out = sd.output(Map.of("x", Nd4j.createFromArray(new double[][]{{1000.0, 0.0}})), "out").get("out");
        assertEquals(0.0, out.getDouble(0, 0), 0.0);
        assertEquals(-1000.0, out.getDouble(0, 1), 1e-9);
    }
}
