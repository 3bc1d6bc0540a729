package org.detrdistill.core.train;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** The budget on a fake clock: expires exactly at the budget, stays expired, restarts. */
class TimeBudgetTest {

    @Test
    void requestsTheStopOnceTheBudgetIsUsedUp() {
        AtomicLong now = new AtomicLong(1_000);
        TimeBudget b = new TimeBudget(Duration.ofSeconds(2), now::get);
        assertFalse(b.stopRequested());
        now.addAndGet(1_999_999_999L);
        assertFalse(b.stopRequested());
        assertFalse(b.expired());
        assertEquals(Duration.ofNanos(1_999_999_999L), b.elapsed());
        now.addAndGet(1);
        assertTrue(b.stopRequested());
        assertTrue(b.expired());
        now.addAndGet(-5);     // a clock never goes back, but expiry is sticky anyway
        assertTrue(b.stopRequested());
        b.restart();
        assertFalse(b.expired());
        assertFalse(b.stopRequested());
        assertEquals(Duration.ofSeconds(2), b.budget());
    }

    @Test
    void minutesAndInvalidBudgets() {
        assertEquals(Duration.ofSeconds(30), TimeBudget.ofMinutes(0.5).budget());
        assertEquals(Duration.ofMillis(12_000), TimeBudget.ofMinutes(0.2).budget());
        assertThrows(IllegalArgumentException.class, () -> TimeBudget.ofMinutes(0));
        assertThrows(IllegalArgumentException.class, () -> TimeBudget.ofMinutes(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> TimeBudget.ofMinutes(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new TimeBudget(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new TimeBudget(Duration.ofSeconds(-1)));
    }
}
