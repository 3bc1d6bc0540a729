package org.detrdistill.core.backbone;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrozenBatchNormTest {
    @Test void foldsAsTorchvision() {
        INDArray w = Nd4j.createFromArray(1.5, 0.5), b = Nd4j.createFromArray(0.1, -0.2);
        INDArray rm = Nd4j.createFromArray(0.3, -1.0), rv = Nd4j.createFromArray(4.0, 0.25);
        FrozenBatchNorm.ScaleShift s = FrozenBatchNorm.fold("m", w, b, rm, rv, 1e-5, DataType.DOUBLE);
        assertArrayEquals(new long[] {1, 2, 1, 1}, s.scale().shape());
        double s0 = 1.5 / Math.sqrt(4.0 + 1e-5), s1 = 0.5 / Math.sqrt(0.25 + 1e-5);
        assertEquals(s0, s.scale().getDouble(0), 1e-16);
        assertEquals(s1, s.scale().getDouble(1), 1e-16);
        assertEquals(0.1 - 0.3 * s0, s.shift().getDouble(0), 1e-16);
        assertEquals(-0.2 + 1.0 * s1, s.shift().getDouble(1), 1e-16);
        FrozenBatchNorm.ScaleShift id = FrozenBatchNorm.identity(3, 1e-5, DataType.FLOAT);
        assertEquals(DataType.FLOAT, id.scale().dataType());
        assertEquals((float) (1 / Math.sqrt(1 + 1e-5)), id.scale().getFloat(2), 0f);
        assertEquals(0f, id.shift().getFloat(1), 0f);
    }

    @Test void wrongLengthNamesTheBuffer() {
        INDArray c2 = Nd4j.ones(2), c3 = Nd4j.ones(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrozenBatchNorm.fold("layer1.0.bn1", c2, c2, c2, c3, 1e-5, DataType.FLOAT));
        assertTrue(e.getMessage().contains("layer1.0.bn1.running_var"), e.getMessage());
    }
}
