package org.detrdistill.core.train;

import org.detrdistill.core.model.Variant;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** LR schedules: hand-computed values (torch parity of warm-up + steps is in {@link AdamWTest}). */
class LrScheduleTest {

    @Test
    void stepDecayCountsMilestonesReached() {
        LrSchedule s = LrSchedule.constant(1.0).stepDecay(0.5, 3, 5, 5);
        assertEquals(1.0, s.lr(0));
        assertEquals(1.0, s.lr(2));
        assertEquals(0.5, s.lr(3));
        assertEquals(0.5, s.lr(4));
        assertEquals(0.125, s.lr(5), "a repeated milestone counts twice, as torch's MultiStepLR");
        assertEquals(0.125, s.lr(1_000_000));
    }

    @Test
    void linearWarmupComposesMultiplicatively() {
        LrSchedule s = LrSchedule.constant(2.0).stepDecay(0.1, 2).linearWarmup(4, 0.2);
        assertEquals(2.0 * 0.2, s.lr(0), 1e-15);
        assertEquals(2.0 * 0.4, s.lr(1), 1e-15);
        assertEquals(2.0 * 0.1 * 0.6, s.lr(2), 1e-15);
        assertEquals(2.0 * 0.1 * 0.8, s.lr(3), 1e-15);
        assertEquals(2.0 * 0.1, s.lr(4), 1e-15);
        assertEquals(0.3, LrSchedule.constant(0.3).linearWarmup(0, 0.5).lr(0), "0 iterations = no warm-up");
    }

    @Test
    void referencePresets() {
        long ipe = 100;
        LrSchedule d = LrSchedule.forVariant(Variant.DEFORMABLE_DETR, ipe);
        assertEquals(2e-4, d.lr(0));
        assertEquals(2e-4, d.lr(40 * ipe - 1));
        assertEquals(2e-5, d.lr(40 * ipe), 1e-20);
        LrSchedule c = LrSchedule.forVariant(Variant.CONDITIONAL_DETR, ipe);
        assertEquals(1e-4, c.lr(123));
        assertEquals(1e-5, c.lr(40 * ipe), 1e-20);
        LrSchedule a = LrSchedule.forVariant(Variant.ADAMIXER, 1000);
        assertEquals(2.5e-5 * 0.001, a.lr(0), 1e-20);
        assertEquals(2.5e-5 * (0.001 + 0.999 * 250 / 500.0), a.lr(250), 1e-20);
        assertEquals(2.5e-5, a.lr(500));
        assertEquals(2.5e-6, a.lr(8000), 1e-20);
        assertEquals(2.5e-7, a.lr(11000), 1e-20);
    }

    @Test
    void isPure() {
        LrSchedule s = LrSchedule.forVariant(Variant.ADAMIXER, 7);
        double first = s.lr(123);
        for (int i = 0; i < 200; i++) s.lr(i);
        assertEquals(first, s.lr(123));
        assertEquals(s, LrSchedule.forVariant(Variant.ADAMIXER, 7), "records: equal schedules compare equal");
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(-1));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(1).stepDecay(0.1, 5, 3));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(1).linearWarmup(10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(1).lr(-1));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(1).stepDecayAtEpochs(0.1, 0, 3));
    }
}
