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

class MasksTest {
    private static final Map<String, INDArray> FEED = Map.of(
            "x", Nd4j.createFromArray(new double[][]{{0.3, -1.2, 2.0}, {0.7, 0.1, -0.4}}),
            "y", Nd4j.createFromArray(new double[][]{{1.5, 0.2, -0.6}, {-2.0, 0.9, 0.8}}));

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static SameDiff graph(boolean stock) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 2, 3);
        SDVariable y = sd.placeHolder("y", DataType.DOUBLE, 2, 3);
        SDVariable cond = x.gt(y);
        SDVariable sel = stock ? sd.where(x, y, cond) : Masks.select(sd, cond, x, y);
        sel.rename("sel");
        sel.mul(sel).sum().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    @Test
    void stockWhereHasNoGradient() {
        SameDiff sd = graph(true);
        assertThrows(UnsupportedOperationException.class, () -> FiniteDifference.analytic(sd, FEED, "x", "y"));
    }

    @Test
    void selectMatchesElementwiseMaxAndFiniteDifferences() {
        SameDiff sd = graph(false);
        INDArray expected = Nd4j.createFromArray(new double[][]{{1.5, 0.2, 2.0}, {0.7, 0.9, 0.8}});
        assertEquals(expected, sd.output(FEED, "sel").get("sel"));
        Map<String, INDArray> g = FiniteDifference.analytic(sd, FEED, "x", "y");
        // d/dx sum(sel^2) = 2x where x is selected, else 0
        assertEquals(Nd4j.createFromArray(new double[][]{{0, 0, 4.0}, {1.4, 0, 0}}), g.get("x"));
        assertEquals(0.0, FiniteDifference.maxAbsDiff(g.get("y"),
                FiniteDifference.numeric(sd, "loss", FEED, "y", 1e-6)), 1e-8);
    }
}
