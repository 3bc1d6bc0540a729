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

/**
 * Defect without a wrapper class: when every output of {@code unstack} is reshaped ({@code expandDims}/{@code reshape})
 * before use, building the gradient fails with "no gradient for required variable". Workaround used in
 * {@code core.box.SdBoxOps}: {@code split}, which yields the wanted {@code [N,1]} columns directly.
 */
class UnstackReshapeTest {
    private static final Map<String, INDArray> FEED = Map.of("a", Nd4j.createFromArray(new double[][]{
            {0.1, 0.2, 0.5, 0.9}, {0.3, 0.1, 0.4, 0.6}, {0.0, 0.4, 0.8, 0.5}}));

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** {@code sum((c2 - c0) * (c3 - c1))} over columns {@code c} of {@code a} shaped {@code [N,1]}. */
    private static SameDiff graph(boolean stock) {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.placeHolder("a", DataType.DOUBLE, -1, 4);
        SDVariable[] c;
        if (stock) {
            c = sd.unstack(a, 1, 4);
            for (int i = 0; i < 4; i++) c[i] = sd.expandDims(c[i], 1);
        } else {
            c = sd.split(a, 4, 1);
        }
        c[2].sub(c[0]).mul(c[3].sub(c[1])).sum().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    @Test
    void unstackThenExpandDimsBreaksBackprop() {
        SameDiff sd = graph(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FiniteDifference.analytic(sd, FEED, "a"));
        assertTrue(e.getMessage().contains("no gradient for required variable"), e.getMessage());
    }

    @Test
    void splitColumnsBackpropagate() {
        SameDiff sd = graph(false);
        INDArray g = FiniteDifference.analytic(sd, FEED, "a").get("a");
        assertEquals(0.0, FiniteDifference.maxAbsDiff(g, FiniteDifference.numeric(sd, "loss", FEED, "a", 1e-6)), 1e-8);
    }
}
