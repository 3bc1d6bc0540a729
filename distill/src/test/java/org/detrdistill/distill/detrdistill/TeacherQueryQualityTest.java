package org.detrdistill.distill.detrdistill;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Top-K (query, class) selection and quality t_i = score · max IoU, against numbers worked out by hand. */
class TeacherQueryQualityTest {
    /**
     * Scores (sigmoid of the logits): q0 = [0.9, 0.5], q1 = [0.25, 0.75], q2 = [0.8, 0.1].
     * Boxes: q0 = xyxy [0.3,0.3,0.7,0.7]; q1 = [0,0,0.5,0.5]; q2 = [0.85,0.85,0.95,0.95].
     */
    static INDArray logits() {
        return Nd4j.createFromArray(new double[][]{
                {Math.log(9), 0}, {-Math.log(3), Math.log(3)}, {Math.log(4), -Math.log(9)}});
    }

    static INDArray boxes() {
        return Nd4j.createFromArray(new double[][]{{0.5, 0.5, 0.4, 0.4}, {0.25, 0.25, 0.5, 0.5}, {0.9, 0.9, 0.1, 0.1}});
    }

    /** GT a = xyxy [0.4,0.3,0.6,0.7] (IoU with q0: 0.08/0.16 = 0.5); GT b = [0,0,0.5,0.5] (= q1; with q0: 0.04/0.37). */
    static INDArray gt() {
        return Nd4j.createFromArray(new double[][]{{0.5, 0.5, 0.2, 0.4}, {0.25, 0.25, 0.5, 0.5}});
    }

    @Test
    void selectsTopPairsAndWeighsThemByTheirBestIou() {
        TeacherQueryQuality.Selection s = TeacherQueryQuality.select(logits(), boxes(), gt(), 3);
        // sorted scores 0.9 (q0,c0), 0.8 (q2,c0), 0.75 (q1,c1), 0.5, 0.25, 0.1
        assertArrayEquals(new int[]{0, 2, 1}, s.queries());
        assertArrayEquals(new int[]{0, 0, 1}, s.classes());
        assertArrayEquals(new double[]{0.9, 0.8, 0.75}, s.scores(), 1e-12);
        // q0: max(0.5, 0.04/0.37) = 0.5 -> 0.45; q2 overlaps nothing -> 0; q1 equals GT b -> 0.75
        assertArrayEquals(new double[]{0.45, 0.0, 0.75}, s.quality(), 1e-12);
    }

    @Test
    void imageWithoutGroundTruthKeepsTheScores() {
        TeacherQueryQuality.Selection s = TeacherQueryQuality.select(logits(), boxes(), Nd4j.create(DataType.DOUBLE, 0, 4), 2);
        assertArrayEquals(new int[]{0, 2}, s.queries());
        assertArrayEquals(new double[]{0.9, 0.8}, s.quality(), 1e-12);
    }

    @Test
    void topKLargerThanAllPairsKeepsEveryPairInScoreOrder() {
        TeacherQueryQuality.Selection s = TeacherQueryQuality.select(logits(), boxes(), gt(), 100);
        assertEquals(6, s.size());
        assertArrayEquals(new double[]{0.9, 0.8, 0.75, 0.5, 0.25, 0.1}, s.scores(), 1e-12);
        assertArrayEquals(new int[]{0, 2, 1, 0, 1, 2}, s.queries());
    }

    @Test
    void tiesGoToTheSmallerFlatIndex() {
        INDArray equal = Nd4j.zeros(DataType.DOUBLE, 3, 2);
        TeacherQueryQuality.Selection s = TeacherQueryQuality.select(equal, boxes(), gt(), 3);
        assertArrayEquals(new int[]{0, 0, 1}, s.queries());
        assertArrayEquals(new int[]{0, 1, 0}, s.classes());
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TeacherQueryQuality.select(logits(), Nd4j.zeros(2, 4), gt(), 3));
        assertTrue(e.getMessage().contains("teacher boxes"), e.getMessage());
        INDArray nan = logits().dup();
        nan.putScalar(1, 1, Double.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> TeacherQueryQuality.select(nan, boxes(), gt(), 3));
        assertTrue(e.getMessage().contains("entry 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TeacherQueryQuality.select(logits(), boxes(), gt(), 0));
    }
}
