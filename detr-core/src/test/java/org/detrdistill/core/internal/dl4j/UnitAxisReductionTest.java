package org.detrdistill.core.internal.dl4j;

import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A SameDiff reduction ({@code sum, mean, max, norm2, std}) of a rank-2 tensor shaped like a vector ({@code [1,N]} or
 * {@code [N,1]}) over its unit axis — a reduction over one-element groups, e.g. a batch or group of one — throws a
 * {@code NullPointerException} in {@code BaseReduceOp.noOp} (or {@code Norm2/Variance.noOp}): ND4J takes a shortcut
 * for it that reads the op's input field, which SameDiff leaves empty (it passes arrays through an op context).
 * Rank ≥ 3 inputs ({@code [1,1,N]}) and INDArray reductions are fine. Workaround: a reduction over a unit axis
 * changes no value, so drop the axis with a reshape ({@code squeeze}) instead, or reduce a rank ≥ 3 view.
 */
class UnitAxisReductionTest {
    private static DataType saved;

    @BeforeAll static void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    private static SDVariable reduce(SDVariable x, String kind, int axis) {
        return switch (kind) {
            case "sum" -> x.sum(axis);
            case "mean" -> x.mean(axis);
            case "max" -> x.max(axis);
            case "norm2" -> x.norm2(axis);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"sum", "mean", "max", "norm2"})
    void stockReductionOverTheUnitAxisOfAVectorThrows(String kind) {
        INDArray values = Nd4j.createFromArray(new double[][]{{1, -2, 3, -4, 5}});
        assertArrayEquals(new long[]{5}, values.sum(0).shape(), "the INDArray reduction works");
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", values);
        reduce(x, kind, 0).rename("r");
        assertThrows(NullPointerException.class, () -> sd.output(Map.of(), "r"), "fixed in this ND4J? then drop the note");
        SameDiff column = SameDiff.create();
        reduce(column.var("x", values.reshape(5, 1)), kind, 1).rename("r");
        assertThrows(NullPointerException.class, () -> column.output(Map.of(), "r"));
        SameDiff rank3 = SameDiff.create();
        reduce(rank3.var("x", values.reshape(1, 1, 5)), kind, 0).rename("r");
        assertArrayEquals(new long[]{1, 5}, rank3.output(Map.of(), "r").get("r").shape(), "rank 3 is fine");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sum", "mean", "max"})
    void squeezingTheUnitAxisGivesTheReductionWithARightGradient(String kind) {
        INDArray values = Nd4j.createFromArray(new double[][]{{1, -2, 3, -4, 5}});
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", values);
        SDVariable r = sd.squeeze(x, 0).rename("r");                     // sum/mean/max over a unit axis
        r.mul(sd.constant(Nd4j.createFromArray(0.5, 1.5, -1.0, 2.0, 0.25))).sum("loss");
        sd.setLossVariables("loss");
        INDArray expected = switch (kind) {
            case "sum" -> values.sum(0);
            case "mean" -> values.mean(0);
            default -> values.max(0);
        };
        assertEquals(expected, sd.output(Map.of(), "r").get("r"));
        CentralDifference.Result res = CentralDifference.check(sd, "loss", Map.of(), "x", 5, 1e-6, 1);
        assertTrue(res.maxRelError() < 1e-8, res.toString());
    }
}
