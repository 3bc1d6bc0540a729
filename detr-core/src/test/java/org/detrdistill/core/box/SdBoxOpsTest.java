package org.detrdistill.core.box;

import org.detrdistill.core.testutil.FiniteDifference;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SdBoxOpsTest {
    private static final String GROUP = "box_ops";

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** All box ops of one fixture case in one graph; outputs by name. */
    private static Map<String, INDArray> run(Fixture f) {
        INDArray b1 = f.npy("boxes1");
        INDArray b2 = f.npy("boxes2");
        long n = b1.size(0);
        long m = b2.size(0);
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.placeHolder("a", DataType.DOUBLE, -1, 4);
        SDVariable b = sd.placeHolder("b", DataType.DOUBLE, -1, 4);
        SDVariable aRep = sd.placeHolder("aRep", DataType.DOUBLE, -1, 4);
        SDVariable bRep = sd.placeHolder("bRep", DataType.DOUBLE, -1, 4);
        SDVariable cx = sd.placeHolder("cx", DataType.DOUBLE, -1, 4);
        SdBoxOps.pairwiseIou(sd, a, b).rename("iou");
        SdBoxOps.pairwiseGiou(sd, a, b).rename("giou");
        SdBoxOps.iou(sd, aRep, bRep).rename("iouElem");
        SdBoxOps.giou(sd, aRep, bRep).rename("giouElem");
        SdBoxOps.xyxyToCxcywh(sd, a).rename("asCx");
        SDVariable xy = SdBoxOps.cxcywhToXyxy(sd, cx).rename("asXy");
        SdBoxOps.xyxyToCxcywh(sd, xy).rename("round");
        SdBoxOps.area(sd, a).rename("area");
        // every (i, j) pair as two aligned [N*M, 4] lists, row-major in (i, j)
        INDArray rep1 = Nd4j.create(DataType.DOUBLE, n * m, 4);
        INDArray rep2 = Nd4j.create(DataType.DOUBLE, n * m, 4);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                rep1.putRow(i * m + j, b1.getRow(i));
                rep2.putRow(i * m + j, b2.getRow(j));
            }
        }
        return sd.output(Map.of("a", b1, "b", b2, "aRep", rep1, "bRep", rep2, "cx", f.npy("cxcywh_in")),
                "iou", "giou", "iouElem", "giouElem", "asCx", "asXy", "round", "area");
    }

    /** Equal within {@code tol}, NaN exactly where {@code expected} is NaN. */
    private static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double[] e = expected.dup().data().asDouble();
        double[] a = actual.dup().data().asDouble();
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i])) {
                assertTrue(Double.isNaN(a[i]), what + "[" + i + "]: expected NaN, got " + a[i]);
            } else {
                assertEquals(e[i], a[i], tol * Math.max(1.0, Math.abs(e[i])), what + "[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"handpicked_pixels", "random_normalised_40x25", "degenerate_vs_degenerate"})
    void matchesTheReferenceFixture(String caseName) {
        Fixture f = Fixture.load(GROUP, caseName);
        Map<String, INDArray> out = run(f);
        double tol = 1e-13;
        assertClose(f.npy("iou"), out.get("iou"), tol, "iou");
        assertClose(f.npy("giou"), out.get("giou"), tol, "giou");
        assertClose(f.npy("iou").reshape(-1), out.get("iouElem"), tol, "elementwise iou");
        assertClose(f.npy("giou").reshape(-1), out.get("giouElem"), tol, "elementwise giou");
        assertClose(f.npy("boxes1_as_cxcywh"), out.get("asCx"), tol, "xyxy->cxcywh");
        assertClose(f.npy("cxcywh_in_as_xyxy"), out.get("asXy"), tol, "cxcywh->xyxy");
        assertClose(f.npy("cxcywh_roundtrip"), out.get("round"), tol, "round trip");
        INDArray b1 = f.npy("boxes1");
        for (int i = 0; i < b1.size(0); i++) {
            double expArea = (b1.getDouble(i, 2) - b1.getDouble(i, 0)) * (b1.getDouble(i, 3) - b1.getDouble(i, 1));
            assertEquals(expArea, out.get("area").getDouble(i), 0.0);
        }
        assertEquals(f.expected().path("nan_count_iou").asInt(), countNaN(out.get("iou")));
        assertEquals(f.expected().path("nan_count_giou").asInt(), countNaN(out.get("giou")));
    }

    @Test
    void degenerateVersusDegenerateIsNaNLikeTheReference() {
        // two zero-area boxes: union 0, IoU = 0/0 = NaN (and GIoU NaN); zero-area vs a real box: IoU 0
        Map<String, INDArray> out = run(Fixture.load(GROUP, "degenerate_vs_degenerate"));
        assertTrue(Double.isNaN(out.get("iou").getDouble(0, 0)));
        assertTrue(Double.isNaN(out.get("giou").getDouble(1, 1)));
        assertEquals(0.0, out.get("iou").getDouble(0, 3), 0.0);
        assertEquals(1.0, out.get("iou").getDouble(2, 3), 0.0);
    }

    private static int countNaN(INDArray x) {
        int c = 0;
        for (double v : x.dup().data().asDouble()) if (Double.isNaN(v)) c++;
        return c;
    }

    /** Random non-degenerate xyxy boxes, overlapping often, no coordinate ties. */
    private static INDArray randomBoxes(long n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray c = Nd4j.rand(DataType.DOUBLE, n, 2).muli(0.6).addi(0.2);
        INDArray wh = Nd4j.rand(DataType.DOUBLE, n, 2).muli(0.4).addi(0.05);
        return Nd4j.hstack(c.sub(wh.div(2)), c.add(wh.div(2)));
    }

    private static INDArray toCxcywh(INDArray xyxy) {
        INDArray out = Nd4j.create(DataType.DOUBLE, xyxy.shape());
        for (int i = 0; i < xyxy.size(0); i++) {
            double x0 = xyxy.getDouble(i, 0), y0 = xyxy.getDouble(i, 1), x1 = xyxy.getDouble(i, 2), y1 = xyxy.getDouble(i, 3);
            out.putRow(i, Nd4j.createFromArray((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0));
        }
        return out;
    }

    private static void gradCheck(boolean pairwise, boolean generalised, boolean viaCxcywh) {
        INDArray a = randomBoxes(5, 11);
        INDArray b = pairwise ? randomBoxes(4, 12) : randomBoxes(5, 13);
        if (viaCxcywh) {   // feed cxcywh and convert inside the graph, as the criterion does
            a = toCxcywh(a);
        }
        SameDiff sd = SameDiff.create();
        SDVariable av = sd.placeHolder("a", DataType.DOUBLE, -1, 4);
        SDVariable bv = sd.placeHolder("b", DataType.DOUBLE, -1, 4);
        SDVariable ax = viaCxcywh ? SdBoxOps.cxcywhToXyxy(sd, av) : av;
        SDVariable out = pairwise
                ? (generalised ? SdBoxOps.pairwiseGiou(sd, ax, bv) : SdBoxOps.pairwiseIou(sd, ax, bv))
                : (generalised ? SdBoxOps.giou(sd, ax, bv) : SdBoxOps.iou(sd, ax, bv));
        INDArray r = pairwise ? Nd4j.rand(DataType.DOUBLE, 5, 4).addi(0.5) : Nd4j.rand(DataType.DOUBLE, 5).addi(0.5);
        out.mul(sd.constant(r)).sum().rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> feed = Map.of("a", a, "b", b);
        Map<String, INDArray> g = FiniteDifference.analytic(sd, feed, "a", "b");
        String what = (pairwise ? "pairwise " : "") + (generalised ? "giou" : "iou") + (viaCxcywh ? " (cxcywh)" : "");
        for (String in : new String[]{"a", "b"}) {
            INDArray num = FiniteDifference.numeric(sd, "loss", feed, in, 1e-6);
            assertTrue(num.amaxNumber().doubleValue() > 1e-3, what + ": degenerate test, zero gradient w.r.t. " + in);
            assertEquals(0.0, FiniteDifference.maxAbsDiff(g.get(in), num), 1e-7, what + " d/d" + in);
        }
    }

    @Test
    void elementwiseGradientsMatchFiniteDifferences() {
        gradCheck(false, false, false);
        gradCheck(false, true, false);
        gradCheck(false, true, true);
    }

    @Test
    void pairwiseGradientsMatchFiniteDifferences() {
        gradCheck(true, false, false);
        gradCheck(true, true, false);
        gradCheck(true, true, true);
    }

    @Test
    void rejectsBoxesThatAreNotNx4() {
        SameDiff sd = SameDiff.create();
        SDVariable bad = sd.placeHolder("bad", DataType.DOUBLE, 3, 5);
        SDVariable ok = sd.placeHolder("ok", DataType.DOUBLE, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdBoxOps.iou(sd, bad, ok));
        assertTrue(e.getMessage().contains("bad"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SdBoxOps.cxcywhToXyxy(sd, bad));
    }
}
