package org.detrdistill.core.transformer;

import org.detrdistill.core.testutil.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BilinearSampler} against {@link BilinearSamplerReference} on both layouts, at the map borders, far outside
 * the map and in FLOAT; {@link SamplingPlan} and {@link LevelShapes} validation.
 */
@ExtendWith(DoublePrecision.class)
class BilinearSamplerTest {
    private static final LevelShapes LEVELS = LevelShapes.of(new int[][]{{5, 7}, {3, 2}});


    private static INDArray run(SamplingPlan plan, INDArray rows, INDArray loc, INDArray w, DataType type) {
        SameDiff sd = SameDiff.create();
        SDVariable out = BilinearSampler.sample(sd, "out", plan, sd.var("rows", rows.castTo(type)), sd.var("loc", loc.castTo(type)),
                sd.var("w", w.castTo(type)));
        return sd.output(Map.of(), out.name()).get("out");
    }

    @Test
    void bothLayoutsMatchReference() {
        int b = 2, q = 3, g = 2, c = 3, p = 2;
        INDArray rows = TestArrays.normal(1, (long) b * LEVELS.totalSize() * g, c);
        for (SamplingPlan plan : new SamplingPlan[]{SamplingPlan.deformable(LEVELS, g, c, p), SamplingPlan.levelBlend(LEVELS, g, c, p)}) {
            INDArray loc = TestArrays.uniform(2, -0.3, 1.3, b, q, g, plan.samples(), 2);
            INDArray w = TestArrays.uniform(3, 0, 1, b, q, g, plan.samples());
            INDArray ref = BilinearSamplerReference.sample(plan, rows, loc, w);
            INDArray out = run(plan, rows, loc, w, DataType.DOUBLE);
            assertArrayEquals(new long[]{b, q, g, plan.outputsPerGroup(), c}, out.shape());
            assertTrue(TestArrays.maxAbsDiff(ref, out) < 1e-13, plan.toString());
        }
    }

    @Test
    void pixelCentresBordersAndFarOutside() {
        // one image, one group, one level 5x7 (plus an unused level), one channel holding the sequence index
        SamplingPlan plan = new SamplingPlan(LEVELS, 1, 1, new int[]{0, 0, 0, 0, 0, 0}, 1);
        INDArray rows = Nd4j.arange(LEVELS.totalSize()).castTo(DataType.DOUBLE).reshape(-1, 1);
        double[][] xy = {
                {(2 + 0.5) / 7, (3 + 0.5) / 5},   // centre of pixel (x 2, y 3): exactly value 3*7+2
                {0.0, 0.0},                       // top-left corner: 1/4 of pixel (0,0)
                {1.0, 1.0},                       // bottom-right corner: 1/4 of pixel (6,4)
                {-0.2, 0.5},                      // all four neighbours left of the map
                {1e6, -1e6},                      // far outside (no index overflow)
                {(6 + 0.75) / 7, (4 + 0.5) / 5}}; // pixel x 6.25: 3/4 of pixel (6,4), 1/4 outside
        INDArray loc = Nd4j.create(xy).reshape(1, 1, 1, 6, 2);
        INDArray out = run(plan, rows, loc, Nd4j.ones(DataType.DOUBLE, 1, 1, 1, 6), DataType.DOUBLE).reshape(6);
        double[] expected = {23, 0.25 * 0, 0.25 * 34, 0, 0, 0.75 * 34};
        for (int i = 0; i < 6; i++) assertEquals(expected[i], out.getDouble(i), 1e-12, "sample " + i);
        INDArray ref = BilinearSamplerReference.sample(plan, rows, loc, Nd4j.ones(DataType.DOUBLE, 1, 1, 1, 6)).reshape(6);
        assertTrue(TestArrays.maxAbsDiff(ref, out) < 1e-12);
    }

    @Test
    void floatMatchesDoubleReference() {
        SamplingPlan plan = SamplingPlan.deformable(LEVELS, 2, 4, 3);
        INDArray rows = TestArrays.normal(4, 2L * LEVELS.totalSize() * 2, 4);
        INDArray loc = TestArrays.uniform(5, -0.1, 1.1, 2, 4, 2, plan.samples(), 2);
        INDArray w = TestArrays.uniform(6, 0, 1, 2, 4, 2, plan.samples());
        INDArray out = run(plan, rows, loc, w, DataType.FLOAT);
        assertEquals(DataType.FLOAT, out.dataType());
        double d = TestArrays.maxAbsDiff(BilinearSamplerReference.sample(plan, rows, loc, w), out);
        assertTrue(d < 1e-5, "float vs double " + d);
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingPlan(LEVELS, 1, 1, new int[]{0, 2}, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingPlan(LEVELS, 1, 1, new int[]{0, 1, 1}, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LevelShapes.fromArrays(Nd4j.createFromArray(new long[][]{{4, 4}, {2, 2}}), Nd4j.createFromArray(0L, 15L)));
        assertTrue(e.getMessage().contains("level_start_index"), e.getMessage());
        assertArrayEquals(new int[]{0, 35}, LEVELS.starts());
        assertEquals(41, LEVELS.totalSize());
        SamplingPlan plan = SamplingPlan.deformable(LEVELS, 1, 2, 1);
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> BilinearSamplerReference.sample(plan,
                Nd4j.zeros(DataType.DOUBLE, 41, 3), Nd4j.zeros(DataType.DOUBLE, 1, 1, 1, 2, 2), Nd4j.zeros(DataType.DOUBLE, 1, 1, 1, 2)));
        assertTrue(e2.getMessage().contains("valueRows"), e2.getMessage());
    }
}
