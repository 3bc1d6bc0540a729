package org.detrdistill.core.internal.dl4j;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The plan executor ({@link FastExecution}, {@link PlanSession}, {@link ExecutionPlan}, {@link ArrayPool},
 * {@link StagedGradients}) against the stock SameDiff executor on the same graphs: identical values and gradients,
 * escaped arrays never reused, the pool reusing everything else, fallback to the stock executor for control flow,
 * the stock errors for bad requests, and one forward pass for a staged gradient.
 */
class PlanSessionTest {
    private boolean wasInstalled;

    @BeforeEach void remember() { wasInstalled = FastExecution.isInstalled(); }

    @AfterEach void restore() {
        if (wasInstalled) FastExecution.install();
        else FastExecution.useStockForTest();
    }

    /**
     * A small graph with what detector graphs contain: matrix products, broadcasting, a multi-output op (split), a
     * reshape/permute chain, softmax, an identity of a variable, a reduction, and a loss.
     */
    private static SameDiff graph(long seed) {
        Nd4j.getRandom().setSeed(seed);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 6);
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.randn(DataType.DOUBLE, 6, 6));
        SDVariable b = sd.var("b", Nd4j.randn(DataType.DOUBLE, 1, 6));
        SDVariable h = sd.nn.relu(x.mmul(w).add(b), 0);
        SDVariable[] parts = sd.split(h, 2, 1);                                  // two [N,3]
        SDVariable mixed = sd.permute(sd.reshape(parts[0].mul(parts[1]), -1, 3, 1), 0, 2, 1);
        SDVariable p = sd.nn.softmax(sd.reshape(mixed, -1, 3), 1).rename("p");
        sd.identity("w_out", w);
        SDVariable loss = p.sub(t).mul(p.sub(t)).sum().add(parts[0].mean()).rename("loss");
        sd.setLossVariables(loss);
        return sd;
    }

    private static Map<String, INDArray> feeds(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("x", Nd4j.randn(DataType.DOUBLE, 4, 6), "t", Nd4j.rand(DataType.DOUBLE, 4, 3));
    }

    @Test
    void sameValuesAndGradientsAsTheStockExecutor() {
        FastExecution.useStockForTest();
        SameDiff stock = graph(1);
        Map<String, INDArray> so = stock.output(feeds(2), "p", "loss", "w_out", "x");
        Map<String, INDArray> sg = stock.calculateGradients(feeds(2), "w", "b");
        assertTrue(FastExecution.install());
        SameDiff plan = graph(1);
        Map<String, INDArray> po = plan.output(feeds(2), "p", "loss", "w_out", "x");
        Map<String, INDArray> pg = plan.calculateGradients(feeds(2), "w", "b");
        for (String k : List.of("p", "loss", "w_out", "x")) assertEquals(so.get(k), po.get(k), k);
        for (String k : List.of("w", "b")) assertEquals(sg.get(k), pg.get(k), k);
        assertInstanceOf(PlanSession.class, StagedGradients.sessionOf(plan));
        assertInstanceOf(PlanSession.class, StagedGradients.sessionOf(plan.getFunction("grad")));
        assertFalse(StagedGradients.sessionOf(stock) instanceof PlanSession);
        assertEquals(1, ((PlanSession) StagedGradients.sessionOf(plan)).plannedCalls());
    }

    @Test
    void returnedArraysAreNeverReusedAndTheRestIsPooled() {
        assertTrue(FastExecution.install());
        SameDiff sd = graph(3);
        INDArray first = sd.output(feeds(4), "p").get("p");
        INDArray copy = first.dup();
        PlanSession s = (PlanSession) StagedGradients.sessionOf(sd);
        long allocated = s.pool().allocations();
        for (int i = 0; i < 5; i++) sd.output(feeds(10 + i), "p");
        assertEquals(copy, first, "an array returned by an earlier call was overwritten");
        // later calls allocate only their returned array; every intermediate comes from the pool
        assertEquals(allocated + 5, s.pool().allocations(), "allocations per call after the first");
        assertTrue(s.pool().reuses() > 0);
    }

    @Test
    void controlFlowGoesToTheStockExecutor() {
        assertTrue(FastExecution.install());
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 2);
        SDVariable y = sd.ifCond("cond", null, s -> s.getVariable("x").sum().gt(0),
                s -> s.getVariable("x").mul(2.0), s -> s.getVariable("x").mul(-1.0));
        String out = y.name();
        INDArray v = sd.output(Map.of("x", Nd4j.createFromArray(1.0, 2.0)), out).get(out);
        assertEquals(Nd4j.createFromArray(2.0, 4.0), v);
        PlanSession s = (PlanSession) StagedGradients.sessionOf(sd);
        assertEquals(0, s.plannedCalls());
        assertEquals(1, s.stockCalls());
        assertEquals(Nd4j.createFromArray(1.0, 2.0), x.getSameDiff().output(Map.of("x", Nd4j.createFromArray(-1.0, -2.0)), out).get(out));
    }

    @Test
    void badRequestsFailAsWithTheStockExecutor() {
        assertTrue(FastExecution.install());
        SameDiff sd = graph(5);
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> sd.output(Map.of("x", Nd4j.rand(DataType.DOUBLE, 2, 6)), "loss"));
        assertTrue(missing.getMessage().contains("\"t\" is required"), missing.getMessage());
        Exception unknown = assertThrows(RuntimeException.class, () -> sd.output(feeds(1), "nope"));
        assertTrue(unknown.getMessage().contains("nope"), unknown.getMessage());
        // a placeholder the requested output does not need may be missing
        assertNotNull(sd.output(Map.of("x", Nd4j.rand(DataType.DOUBLE, 2, 6)), "p").get("p"));
    }

    @Test
    void stagedGradientRunsTheForwardPassOnceWithTheSameResult() {
        Map<String, INDArray> all = feeds(6);
        INDArray target = all.get("t");
        FastExecution.useStockForTest();
        SameDiff stock = graph(7);
        StagedGradients.Result twoPass = StagedGradients.run(stock, Map.of("x", all.get("x")), List.of("p"),
                early -> Map.of("t", target), List.of("loss"), List.of("w", "b"));
        assertFalse(twoPass.singlePass());

        assertTrue(FastExecution.install());
        SameDiff sd = graph(7);
        AtomicInteger calls = new AtomicInteger();
        Map<String, INDArray> seen = new HashMap<>();
        StagedGradients.Result staged = StagedGradients.run(sd, Map.of("x", all.get("x")), List.of("p"), early -> {
            calls.incrementAndGet();
            seen.putAll(early);
            return Map.of("t", target);
        }, List.of("loss"), List.of("w", "b"));
        assertTrue(staged.singlePass());
        assertEquals(1, calls.get());
        assertEquals(twoPass.early().get("p"), seen.get("p"));
        assertEquals(twoPass.outputs().get("loss"), staged.outputs().get("loss"));
        assertEquals(twoPass.gradients().get("w"), staged.gradients().get("w"));
        assertEquals(twoPass.gradients().get("b"), staged.gradients().get("b"));
        InferenceSession grad = StagedGradients.sessionOf(sd.getFunction("grad"));
        assertEquals(1, ((PlanSession) grad).plannedCalls(), "one call of the gradient graph");
        InferenceSession forward = StagedGradients.sessionOf(sd);
        assertTrue(forward == null || (((PlanSession) forward).plannedCalls() == 0 && ((PlanSession) forward).stockCalls() == 0),
                "the forward graph itself never ran");
    }

    @Test
    void stagedValuesMustNotNeedTheLaterPlaceholders() {
        assertTrue(FastExecution.install());
        SameDiff sd = graph(8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StagedGradients.run(sd,
                Map.of("x", feeds(1).get("x")), List.of("loss"), early -> Map.of("t", feeds(1).get("t")),
                List.of("loss"), List.of("w")));
        assertTrue(e.getMessage().contains("'loss' depends on placeholders supplied later"), e.getMessage());
    }

    @Test
    void stockPropertyKeepsTheStockExecutor() {
        String saved = System.getProperty(FastExecution.PROPERTY);
        try {
            FastExecution.useStockForTest();
            System.setProperty(FastExecution.PROPERTY, "stock");
            assertFalse(FastExecution.install());
            assertFalse(FastExecution.isInstalled());
            System.setProperty(FastExecution.PROPERTY, "fast");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, FastExecution::install);
            assertTrue(e.getMessage().contains("'plan' or 'stock'"), e.getMessage());
        } finally {
            if (saved == null) System.clearProperty(FastExecution.PROPERTY);
            else System.setProperty(FastExecution.PROPERTY, saved);
        }
    }

    /** Segment sums through the host kernel ({@link HostSegmentSum}) against the native op run by the stock executor. */
    @Test
    void segmentSumsRunOnTheHostWithTheNativeResult() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (DataType idType : new DataType[]{DataType.INT32, DataType.INT64}) {
                Nd4j.getRandom().setSeed(9);
                INDArray data = Nd4j.randn(type, 50, 2, 3);
                INDArray ids = Nd4j.createFromArray(new java.util.Random(3).ints(50, 0, 7).toArray()).castTo(idType);
                Map<String, INDArray> results = new HashMap<>();
                for (boolean plan : new boolean[]{false, true}) {
                    if (plan) assertTrue(FastExecution.install());
                    else FastExecution.useStockForTest();
                    SameDiff sd = SameDiff.create();
                    SDVariable d = sd.placeHolder("d", type, -1, 2, 3), i = sd.placeHolder("i", idType, -1);
                    sd.unsortedSegmentSum(d, i, 9).rename("fixed");                              // count as an argument
                    sd.unsortedSegmentSum(d, i, sd.constant(Nd4j.scalar(DataType.INT64, 8L))).rename("input");
                    Map<String, INDArray> out = sd.output(Map.of("d", data, "i", ids), "fixed", "input");
                    results.put(plan + "fixed", out.get("fixed"));
                    results.put(plan + "input", out.get("input"));
                }
                assertArrayEquals(new long[]{9, 2, 3}, results.get("truefixed").shape());
                assertEquals(results.get("falsefixed"), results.get("truefixed"), type + " " + idType);
                assertEquals(results.get("falseinput"), results.get("trueinput"), type + " " + idType);
            }
        }
        assertTrue(FastExecution.install());
        SameDiff sd = SameDiff.create();
        SDVariable d = sd.placeHolder("d", DataType.FLOAT, -1, 3), i = sd.placeHolder("i", DataType.INT32, -1);
        sd.unsortedSegmentSum(d, i, 4).rename("s");
        Exception e = assertThrows(RuntimeException.class, () -> sd.output(Map.of("d", Nd4j.ones(DataType.FLOAT, 2, 3),
                "i", Nd4j.createFromArray(1, 4)), "s"));
        assertTrue(String.valueOf(e.getMessage()).contains("outside [0, 4)"), e.getMessage());
    }
}
