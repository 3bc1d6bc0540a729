package org.detrdistill.core.box;

import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/** Parity of {@link BoxOps} with detr's util/box_ops.py (fixtures/box_ops), plus edge cases. */
class BoxOpsTest {
    private static final double TOL = 1e-12;

    @ParameterizedTest
    @ValueSource(strings = {"degenerate_vs_degenerate", "handpicked_pixels", "random_normalised_40x25"})
    void pairwiseOpsMatchFixture(String name) {
        Fixture f = Fixture.load("box_ops", name);
        INDArray b1 = f.npy("boxes1"), b2 = f.npy("boxes2");
        BoxOps.IouAndUnion iu = BoxOps.iouAndUnion(b1, b2);
        assertArrayEqualsWithNaN(f.npy("iou"), iu.iou(), name + " iou");
        assertArrayEqualsWithNaN(f.npy("union"), iu.union(), name + " union");
        assertArrayEqualsWithNaN(f.npy("iou"), BoxOps.iou(b1, b2), name + " iou()");
        INDArray giou = BoxOps.giou(b1, b2);
        assertArrayEqualsWithNaN(f.npy("giou"), giou, name + " giou");
        assertEquals(DataType.DOUBLE, giou.dataType());

        int nanIou = countNaN(iu.iou()), nanGiou = countNaN(giou);
        assertEquals(f.expected().path("nan_count_iou").asInt(0), nanIou, "NaN count of iou");
        assertEquals(f.expected().path("nan_count_giou").asInt(0), nanGiou, "NaN count of giou");
    }

    @ParameterizedTest
    @ValueSource(strings = {"degenerate_vs_degenerate", "handpicked_pixels", "random_normalised_40x25"})
    void conversionsMatchFixture(String name) {
        Fixture f = Fixture.load("box_ops", name);
        assertArrayEqualsWithNaN(f.npy("boxes1_as_cxcywh"), BoxOps.xyxyToCxcywh(f.npy("boxes1")), "xyxy->cxcywh");
        INDArray xyxy = BoxOps.cxcywhToXyxy(f.npy("cxcywh_in"));
        assertArrayEqualsWithNaN(f.npy("cxcywh_in_as_xyxy"), xyxy, "cxcywh->xyxy");
        assertArrayEqualsWithNaN(f.npy("cxcywh_roundtrip"), BoxOps.xyxyToCxcywh(xyxy), "round trip");
    }

    @ParameterizedTest
    @ValueSource(strings = {"degenerate_vs_degenerate", "handpicked_pixels", "random_normalised_40x25"})
    void elementwiseEqualsDiagonalOfPairwise(String name) {
        Fixture f = Fixture.load("box_ops", name);
        INDArray b1 = f.npy("boxes1"), b2 = f.npy("boxes2");
        int n = (int) Math.min(b1.size(0), b2.size(0));
        INDArray a = b1.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n));
        INDArray b = b2.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n));
        INDArray iou = BoxOps.elementwiseIou(a, b), giou = BoxOps.elementwiseGiou(a, b);
        INDArray iouRef = f.npy("iou"), giouRef = f.npy("giou");
        for (int i = 0; i < n; i++) {
            assertSameOrBothNaN(iouRef.getDouble(i, i), iou.getDouble(i), name + " iou " + i);
            assertSameOrBothNaN(giouRef.getDouble(i, i), giou.getDouble(i), name + " giou " + i);
        }
    }

    @Test
    void areaAndHandComputedValues() {
        INDArray a = Nd4j.create(new double[][]{{0, 0, 2, 2}, {1, 1, 3, 4}});
        INDArray b = Nd4j.create(new double[][]{{1, 1, 3, 3}});
        assertArrayEquals(new double[]{4, 6}, BoxOps.area(a).toDoubleVector(), 0);
        // inter 1, union 4+4-1 = 7, enclosing 3x3 = 9: giou = 1/7 - 2/9
        assertEquals(1.0 / 7, BoxOps.iou(a, b).getDouble(0, 0), 1e-15);
        assertEquals(1.0 / 7 - 2.0 / 9, BoxOps.giou(a, b).getDouble(0, 0), 1e-15);
        // inter 2x2 = 4, union 6+4-4 = 6, enclosing 2x3 = 6: giou = iou = 2/3
        assertEquals(2.0 / 3, BoxOps.giou(a, b).getDouble(1, 0), 1e-15);
        assertArrayEquals(new double[]{2, 2.5, 2, 3},
                BoxOps.xyxyToCxcywh(a.getRow(1, true)).toDoubleVector(), 0);
    }

    @Test
    void floatInputsGiveFloatAndViewsAreRead() {
        INDArray batch = Nd4j.create(new double[][][]{{{0.5, 0.5, 0.2, 0.2}}, {{0.3, 0.4, 0.2, 0.4}}})
                .castTo(DataType.FLOAT);
        INDArray second = batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)); // a view at an offset
        INDArray xyxy = BoxOps.cxcywhToXyxy(second);
        assertEquals(DataType.FLOAT, xyxy.dataType());
        assertArrayEquals(new double[]{0.2, 0.2, 0.4, 0.6}, xyxy.toDoubleVector(), 1e-7);
        INDArray fOrder = Nd4j.create(new double[][]{{0, 0, 2, 2}, {1, 1, 3, 4}}).dup('f');
        assertArrayEquals(new double[]{4, 6}, BoxOps.area(fOrder).toDoubleVector(), 0);
    }

    @Test
    void emptyInputsGiveEmptyMatrices() {
        INDArray none = Nd4j.create(DataType.DOUBLE, 0, 4);
        INDArray two = Nd4j.create(new double[][]{{0, 0, 1, 1}, {0, 0, 2, 2}});
        assertArrayEquals(new long[]{2, 0}, BoxOps.giou(two, none).shape());
        assertArrayEquals(new long[]{0, 2}, BoxOps.iou(none, two).shape());
    }

    @Test
    void invalidBoxesAreRejectedWithRowAndArgument() {
        INDArray ok = Nd4j.create(new double[][]{{0, 0, 1, 1}});
        INDArray bad = Nd4j.create(new double[][]{{0, 0, 1, 1}, {0.5, 0, 0.4, 1}});
        var e = assertThrows(IllegalArgumentException.class, () -> BoxOps.giou(ok, bad));
        assertTrue(e.getMessage().contains("boxes2 row 1"), e.getMessage());
        INDArray nan = Nd4j.create(new double[][]{{0, Double.NaN, 1, 1}});
        e = assertThrows(IllegalArgumentException.class, () -> BoxOps.elementwiseGiou(nan, ok));
        assertTrue(e.getMessage().contains("boxes1 row 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BoxOps.iou(ok, Nd4j.create(DataType.DOUBLE, 2, 3)));
        assertTrue(e.getMessage().contains("boxes2 must have shape [*,4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BoxOps.elementwiseIou(ok, bad));
        assertTrue(e.getMessage().contains("differ in rows"), e.getMessage());
    }

    private static int countNaN(INDArray a) {
        int c = 0;
        for (double d : a.ravel().toDoubleVector()) if (Double.isNaN(d)) c++;
        return c;
    }

    private static void assertArrayEqualsWithNaN(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double[] e = expected.ravel().toDoubleVector(), a = actual.ravel().toDoubleVector();
        for (int i = 0; i < e.length; i++) assertSameOrBothNaN(e[i], a[i], what + " [" + i + "]");
    }

    private static void assertSameOrBothNaN(double expected, double actual, String what) {
        if (Double.isNaN(expected)) {
            assertTrue(Double.isNaN(actual), what + ": expected NaN, got " + actual);
        } else {
            assertEquals(expected, actual, TOL * Math.max(1, Math.abs(expected)), what);
        }
    }
}
