package org.detrdistill.core.loss;

import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TargetEncoderTest {
    private static ImageTarget image(long id, int[] labels, double[][] boxes) {
        INDArray b = boxes.length == 0 ? Nd4j.zeros(DataType.DOUBLE, 0, 4) : Nd4j.createFromArray(boxes);
        return new ImageTarget(id, labels, b, 64, 64, 64, 64);
    }

    private static final List<ImageTarget> TARGETS = List.of(
            image(7, new int[]{2, 0}, new double[][]{{0.5, 0.5, 0.2, 0.3}, {0.1, 0.2, 0.1, 0.1}}),
            image(8, new int[]{}, new double[][]{}),
            image(9, new int[]{1}, new double[][]{{0.7, 0.6, 0.4, 0.2}}));
    private static final List<Assignment> MATCH = List.of(
            new Assignment(new int[]{1, 3}, new int[]{1, 0}), Assignment.empty(), new Assignment(new int[]{0}, new int[]{0}));

    @Test
    void focalEncodingIsOneHotWithZeroRowsForUnmatchedQueries() {
        EncodedTargets e = new TargetEncoder(4, 3, false, DataType.FLOAT).encode(MATCH, TARGETS);
        assertArrayEquals(new long[]{3, 4, 3}, e.classTarget().shape());
        assertEquals(DataType.FLOAT, e.classTarget().dataType());
        assertEquals(1.0, e.classTarget().getDouble(0, 1, 0));   // query 1 <- target 1 (label 0)
        assertEquals(1.0, e.classTarget().getDouble(0, 3, 2));   // query 3 <- target 0 (label 2)
        assertEquals(1.0, e.classTarget().getDouble(2, 0, 1));
        assertEquals(3.0, e.classTarget().sumNumber().doubleValue());
        assertArrayEquals(new long[]{1, 3, 8}, e.srcIndex().toLongVector());
        assertEquals(DataType.INT64, e.srcIndex().dataType());
        assertArrayEquals(new float[]{0.1f, 0.2f, 0.1f, 0.1f}, e.targetBoxes().getRow(0).toFloatVector());
        assertArrayEquals(new float[]{0.7f, 0.6f, 0.4f, 0.2f}, e.targetBoxes().getRow(2).toFloatVector());
        assertEquals(Nd4j.ones(DataType.FLOAT, 3), e.boxWeight());
        assertEquals(Nd4j.ones(DataType.FLOAT, 3, 4), e.queryWeight());
        assertEquals(3, e.numMatched());
        assertEquals(3.0, TargetEncoder.numBoxes(TARGETS));
    }

    @Test
    void softmaxEncodingPutsUnmatchedQueriesInTheNoObjectColumn() {
        EncodedTargets e = new TargetEncoder(4, 3, true, DataType.DOUBLE).encode(MATCH, TARGETS);
        assertArrayEquals(new long[]{3, 4, 4}, e.classTarget().shape());
        assertEquals(Nd4j.ones(DataType.DOUBLE, 3, 4), e.classTarget().sum(2));   // one-hot rows everywhere
        assertEquals(0.0, e.classTarget().getDouble(0, 1, 3));
        assertEquals(1.0, e.classTarget().getDouble(0, 0, 3));
        assertEquals(1.0, e.classTarget().getDouble(1, 2, 3));
    }

    @Test
    void noMatchesGivesOnePaddingPairOfWeightZero() {
        List<ImageTarget> empty = List.of(image(1, new int[]{}, new double[][]{}));
        EncodedTargets e = new TargetEncoder(5, 2, false, DataType.DOUBLE).encode(List.of(Assignment.empty()), empty);
        assertEquals(0, e.numMatched());
        assertEquals(1, e.srcIndex().length());
        assertEquals(0.0, e.boxWeight().getDouble(0));
        assertEquals(0.0, e.classTarget().sumNumber().doubleValue());
        assertEquals(1.0, TargetEncoder.numBoxes(empty));
    }

    @Test
    void softTargetsCarryProbabilitiesAndWeights() {
        SoftTargets t = new SoftTargets(Nd4j.createFromArray(new double[][]{{0.1, 0.7}, {0.9, 0.05}}),
                Nd4j.createFromArray(new double[][]{{0.5, 0.5, 0.2, 0.2}, {0.3, 0.3, 0.1, 0.1}}), new double[]{0.8, 0.4});
        EncodedTargets e = new TargetEncoder(3, 2, false, DataType.DOUBLE)
                .encodeSoft(List.of(new Assignment(new int[]{0, 2}, new int[]{1, 0})), List.of(t), 0.5);
        assertEquals(0.9, e.classTarget().getDouble(0, 0, 0));
        assertEquals(0.7, e.classTarget().getDouble(0, 2, 1));
        assertArrayEquals(new double[]{0.4, 0.5, 0.8}, e.queryWeight().getRow(0).toDoubleVector());
        assertArrayEquals(new double[]{0.4, 0.8}, e.boxWeight().toDoubleVector());
    }

    @Test
    void badInputNamesTheImageAndEntry() {
        TargetEncoder enc = new TargetEncoder(4, 3, false, DataType.DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.encode(List.of(
                new Assignment(new int[]{4}, new int[]{0}), Assignment.empty(), Assignment.empty()), TARGETS));
        assertTrue(e.getMessage().contains("image 0") && e.getMessage().contains("queryIndex[0] = 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> enc.encode(List.of(
                Assignment.empty(), Assignment.empty(), new Assignment(new int[]{0}, new int[]{1})), TARGETS));
        assertTrue(e.getMessage().contains("image 2") && e.getMessage().contains("targetIndex[0] = 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TargetEncoder(4, 2, false, DataType.DOUBLE)
                .encode(MATCH, TARGETS));
        assertTrue(e.getMessage().contains("label[0] = 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> enc.encode(MATCH.subList(0, 2), TARGETS));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(List.of(
                new Assignment(new int[]{1, 1}, new int[]{0, 1}), Assignment.empty(), Assignment.empty()), TARGETS));
    }
}
