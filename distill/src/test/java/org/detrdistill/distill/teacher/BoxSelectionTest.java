package org.detrdistill.distill.teacher;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Threshold, cap and order of Teach-DETR's per-image box selection. */
class BoxSelectionTest {

    @Test
    void keepsScoresAtOrAboveTheThresholdHighestFirstUpToTheCap() {
        double[] scores = {0.2, 0.9, 0.5, 0.9, 0.1, 0.3};
        assertArrayEquals(new int[]{1, 3, 2, 5}, new BoxSelection(0.3, 50).select(scores), "0.3 itself is kept; ties keep input order");
        assertArrayEquals(new int[]{1, 3}, new BoxSelection(0.3, 2).select(scores));
        assertArrayEquals(new int[]{1, 3, 2, 5, 0, 4}, new BoxSelection(0, 50).select(scores));
        assertArrayEquals(new int[0], new BoxSelection(0.95, 50).select(scores));
        assertArrayEquals(new int[0], BoxSelection.defaults().select(new double[0]));
    }

    @Test
    void capsAtFiftyByDefault() {
        double[] scores = new double[80];
        for (int i = 0; i < scores.length; i++) scores[i] = (i + 1) / 100.0;   // 0.01 .. 0.80
        int[] kept = BoxSelection.threshold(0.05).select(scores);
        assertEquals(50, kept.length);
        assertEquals(79, kept[0], "highest score first");
        assertEquals(30, kept[49], "the 50th best is 0.31");
        assertEquals(76, new BoxSelection(0.05, 50).countAbove(scores));
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new BoxSelection(-0.1, 50));
        assertThrows(IllegalArgumentException.class, () -> new BoxSelection(1.5, 50));
        assertThrows(IllegalArgumentException.class, () -> new BoxSelection(Double.NaN, 50));
        assertThrows(IllegalArgumentException.class, () -> new BoxSelection(0.3, 0));
    }
}
