package org.detrdistill.core.position;

import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PaddingMasks} against F.interpolate(nearest) (fixtures/position/sine_padded_B2_37x45). */
class PaddingMasksTest {

    @Test void imageMaskAndLevelMasksMatchTorch() {
        Fixture f = Fixture.load("position", "sine_padded_B2_37x45");
        INDArray image = PaddingMasks.imageMask(new int[] {37, 29}, new int[] {45, 33}, 37, 45);
        assertEquals(DataType.UINT8, image.dataType());
        assertEquals(f.npy("image_mask"), image);
        for (int l = 0; l < 5; l++) {
            INDArray expected = f.npy("mask_" + l);
            INDArray actual = PaddingMasks.resize(image, (int) expected.size(1), (int) expected.size(2));
            assertEquals(expected, actual, "level " + l);
        }
    }

    @Test void sourceIndicesFollowPytorch() {
        assertArrayEquals(new int[] {0, 1, 2}, PaddingMasks.sourceIndex(3, 3));
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, PaddingMasks.sourceIndex(3, 6));
        // expected values printed by torch 1.13 F.interpolate(size=...) on an index ramp
        assertArrayEquals(new int[] {0, 3, 6}, PaddingMasks.sourceIndex(10, 3));
        assertArrayEquals(new int[] {0, 3, 7, 11, 14, 18, 22, 25, 29, 33}, PaddingMasks.sourceIndex(37, 10));
    }

    @Test void keepsTypeAndRejectsBadInput() {
        INDArray m = Nd4j.createFromArray(new boolean[][][] {{{false, true}, {true, true}}});
        INDArray up = PaddingMasks.resize(m, 4, 4);
        assertEquals(DataType.BOOL, up.dataType());
        assertTrue(up.getDouble(0, 1, 1) == 0 && up.getDouble(0, 1, 2) == 1);
        assertThrows(IllegalArgumentException.class, () -> PaddingMasks.resize(Nd4j.zeros(2, 2), 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PaddingMasks.imageMask(new int[] {5, 9}, new int[] {4, 4}, 8, 8));
        assertTrue(e.getMessage().contains("image 1"), e.getMessage());
    }
}
