package org.detrdistill.core.internal.dl4j;

import org.detrdistill.core.testutil.FiniteDifference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class GathersTest {
    private static final long[] IDX = {2, 0, 2, 4, 2, 1};   // row 2 three times, row 3 never

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** loss = sum(gather(x, idx) * r); d loss / dx[n] = sum of r[m] over m with idx[m] == n. */
    private static INDArray expectedGrad(INDArray r, long n, long c) {
        INDArray g = Nd4j.zeros(DataType.DOUBLE, n, c);
        for (int m = 0; m < IDX.length; m++) {
            g.getRow(IDX[m]).addi(r.getRow(m));
        }
        return g;
    }

    private static SameDiff graph(boolean fixed, INDArray r) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable idx = sd.placeHolder("idx", DataType.INT64, -1);
        SDVariable g = fixed ? Gathers.rows(sd, "g", x, idx) : sd.gather("g", x, idx, 0);
        g.mul(sd.constant("r", r)).sum().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private static Map<String, INDArray> feed(INDArray x) {
        return Map.of("x", x, "idx", Nd4j.createFromArray(IDX));
    }

    @Test
    void stockGatherGradientIsWrongWithRepeatedIndices() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);
        INDArray r = Nd4j.rand(DataType.DOUBLE, IDX.length, 3).addi(0.5);
        Dl4jFixes.restoreStockForTest();
        try {
            assertFalse(Dl4jFixes.isInstalled());
            SameDiff sd = graph(false, r);
            INDArray expected = expectedGrad(r, 5, 3);
            INDArray numeric = FiniteDifference.numeric(sd, "loss", feed(x), "x", 1e-6);
            assertEquals(0.0, FiniteDifference.maxAbsDiff(numeric, expected), 1e-8, "finite difference sanity");
            INDArray stock;
            try {
                stock = FiniteDifference.analytic(sd, feed(x), "x").get("x");
            } catch (RuntimeException e) {
                System.out.println("stock gather gradient threw: " + e);
                return;     // the stock op failing outright also shows the defect
            }
            System.out.println("stock gather gradient:\n" + stock + "\nexpected:\n" + expected);
            assertTrue(FiniteDifference.maxAbsDiff(stock, expected) > 0.1,
                    "stock gather gradient unexpectedly correct: " + stock);
        } finally {
            assertTrue(Dl4jFixes.install());
        }
    }

    @Test
    void fixedGatherSurvivesGradientGraphRebuild() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);
        INDArray r = Nd4j.rand(DataType.DOUBLE, IDX.length, 3).addi(0.5);
        SameDiff sd = graph(true, r);
        assertTrue(Dl4jFixes.isInstalled());
        INDArray out = sd.output(feed(x), "g").get("g");
        for (int m = 0; m < IDX.length; m++) {
            assertEquals(x.getRow(IDX[m]), out.getRow(m));
        }
        INDArray grad = FiniteDifference.analytic(sd, feed(x), "x").get("x");
        INDArray numeric = FiniteDifference.numeric(sd, "loss", feed(x), "x", 1e-6);
        assertEquals(0.0, FiniteDifference.maxAbsDiff(grad, expectedGrad(r, 5, 3)), 1e-12);
        assertEquals(0.0, FiniteDifference.maxAbsDiff(grad, numeric), 1e-8);
        // the gradient graph really holds the fixed class (not the stock one re-created by hash)
        SameDiff gradFn = sd.getFunction("grad");
        assertTrue(java.util.Arrays.stream(gradFn.ops()).anyMatch(o -> o instanceof FixedGather),
                "no FixedGather in the gradient graph");
    }

    @Test
    void unregisteredSubclassIsSilentlyReplacedByTheStockOp() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);
        INDArray r = Nd4j.rand(DataType.DOUBLE, IDX.length, 3).addi(0.5);
        Dl4jFixes.restoreStockForTest();
        try {
            SameDiff sd = SameDiff.create();
            SDVariable xv = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
            SDVariable idx = sd.placeHolder("idx", DataType.INT64, -1);
            SDVariable g = new FixedGather(sd, xv, idx, 0).outputVariable();
            g.mul(sd.constant("r", r)).sum().rename("loss");
            sd.setLossVariables("loss");
            INDArray grad = FiniteDifference.analytic(sd, feed(x), "x").get("x");
            assertTrue(FiniteDifference.maxAbsDiff(grad, expectedGrad(r, 5, 3)) > 0.1,
                    "without registration the subclass was expected to be replaced by the stock op");
        } finally {
            assertTrue(Dl4jFixes.install());
        }
    }

    @Test
    void staticShapeVariableGetsTheSegmentSumGradient() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);
        INDArray r = Nd4j.rand(DataType.DOUBLE, IDX.length, 3).addi(0.5);
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x);
        SDVariable idx = sd.constant("idx", Nd4j.createFromArray(IDX).castTo(DataType.INT32));
        Gathers.rows(sd, xv, idx).mul(sd.constant("r", r)).sum().rename("loss");
        sd.setLossVariables("loss");
        INDArray grad = sd.calculateGradients(Map.of(), "x").get("x");
        assertEquals(0.0, FiniteDifference.maxAbsDiff(grad, expectedGrad(r, 5, 3)), 1e-12);
    }

    @Test
    void inputOfUnknownShapeGetsTheSegmentSumGradient() {
        // x is the output of a reshape: neither its shape nor its rank is known when the gradient graph is built
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);
        INDArray r = Nd4j.rand(DataType.DOUBLE, IDX.length, 3).addi(0.5);
        SameDiff sd = SameDiff.create();
        SDVariable x3 = sd.placeHolder("x", DataType.DOUBLE, -1, -1, 3);
        SDVariable idx = sd.placeHolder("idx", DataType.INT64, -1);
        Gathers.rows(sd, x3.reshape(-1, 3), idx).mul(sd.constant("r", r)).sum().rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> feed = Map.of("x", x.reshape(1, 5, 3), "idx", Nd4j.createFromArray(IDX));
        INDArray grad = FiniteDifference.analytic(sd, feed, "x").get("x");
        assertEquals(0.0, FiniteDifference.maxAbsDiff(grad.reshape(5, 3), expectedGrad(r, 5, 3)), 1e-12);
    }

    @Test
    void installIsIdempotentAndMapsTheHash() {
        assertTrue(Dl4jFixes.install());
        assertTrue(Dl4jFixes.install());
        assertSame(FixedGather.class, DifferentialFunctionClassHolder.getInstance()
                .customOpClassForHashAndName(Dl4jFixes.gatherHash(), "gather"));
    }

    @Test
    void rowsRejectsBadArguments() {
        SameDiff sd = SameDiff.create();
        SDVariable x3 = sd.placeHolder("x3", DataType.DOUBLE, 2, 3, 4);
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 2, 3);
        SDVariable fIdx = sd.placeHolder("f", DataType.DOUBLE, 2);
        SDVariable idx = sd.placeHolder("i", DataType.INT32, 2);
        assertThrows(IllegalArgumentException.class, () -> Gathers.rows(sd, x3, idx));
        assertThrows(IllegalArgumentException.class, () -> Gathers.rows(sd, x, fIdx));
    }
}
