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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Gathers#rows} on a gathered input that is an op output: SameDiff knows no shape (not even the rank) of such
 * a variable when it builds the gradient graph ({@code getShape()} is null for ARRAY variables), which is the normal
 * case inside a model (e.g. bilinear sampling gathers rows of a projected, reshaped value tensor).
 */
class FixedGatherComputedInputTest {
    private static final long[] IDX = {4, 0, 4, 1, 4, 3, 3};   // repeated rows, row 2 never

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void gradientThroughReshapedOpOutput() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 6);
        SDVariable rows = sd.reshape(x.mul(2.0), -1, 3);           // [2N, 3], shape unknown at build time
        assertNull(rows.getShape());
        SDVariable idx = sd.placeHolder("idx", DataType.INT64, -1);
        INDArray r = Nd4j.linspace(DataType.DOUBLE, 0.5, 0.25, IDX.length * 3L).reshape(IDX.length, 3);
        Gathers.rows(sd, "g", rows, idx).mul(sd.constant("r", r)).sum().rename("loss");
        sd.setLossVariables("loss");
        INDArray xv = Nd4j.linspace(DataType.DOUBLE, -1, 0.1, 18).reshape(3, 6);
        Map<String, INDArray> feed = Map.of("x", xv, "idx", Nd4j.createFromArray(IDX));

        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 6, 3);
        for (int m = 0; m < IDX.length; m++) expected.getRow(IDX[m]).addi(r.getRow(m).mul(2.0));
        INDArray analytic = FiniteDifference.analytic(sd, feed, "x").get("x");
        assertEquals(0.0, FiniteDifference.maxAbsDiff(analytic, expected.reshape(3, 6)), 1e-12);
        INDArray numeric = FiniteDifference.numeric(sd, "loss", feed, "x", 1e-6);
        assertEquals(0.0, FiniteDifference.maxAbsDiff(analytic, numeric), 1e-8);
    }
}
