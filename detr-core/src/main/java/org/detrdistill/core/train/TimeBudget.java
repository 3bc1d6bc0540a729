package org.detrdistill.core.train;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Ends training gracefully once a wall-clock budget is used up: after the first step that ends at or beyond the
 * budget, {@link #stopRequested()} turns true, and {@link DetectorTrainer} closes that epoch as the last one (final
 * evaluation, {@code last} and {@code best} checkpoints). The step running when the budget expires is finished, and
 * the evaluation and saving that follow come on top of the budget.
 *
 * <p>The clock starts when the budget is created (so create it right before {@code fit}: graph building and the
 * first, slower steps count) or at {@link #restart()}. Not thread-safe; one budget per run.
 *
 * <pre>{@code
 * TimeBudget budget = new TimeBudget(Duration.ofMinutes(3));
 * new DetectorTrainer(detector, config, out, List.of(budget, new NonFiniteGuard())).fit(train, evaluator, false);
 * if (budget.expired()) System.out.println("stopped by the time budget after " + budget.elapsed());
 * }</pre>
 */
public final class TimeBudget implements TrainingListener {
    private final long budgetNanos;
    private final LongSupplier nanoClock;
    private long start;
    private boolean expired;

    /**
     * @param budget the training time allowed, positive
     * @throws IllegalArgumentException if {@code budget} is zero or negative
     */
    public TimeBudget(Duration budget) {
        this(budget, System::nanoTime);
    }

    /**
     * With an explicit clock (tests).
     *
     * @param budget    the training time allowed, positive
     * @param nanoClock a monotonic clock in nanoseconds, like {@link System#nanoTime()}
     */
    public TimeBudget(Duration budget, LongSupplier nanoClock) {
        Objects.requireNonNull(budget, "budget");
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("time budget must be positive, got " + budget);
        }
        this.budgetNanos = budget.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.start = nanoClock.getAsLong();
    }

    /** A budget of {@code minutes} (fractions allowed, e.g. 0.5 = 30 s). @throws IllegalArgumentException if not positive and finite */
    public static TimeBudget ofMinutes(double minutes) {
        if (!(minutes > 0) || Double.isInfinite(minutes)) {
            throw new IllegalArgumentException("time budget must be a positive number of minutes, got " + minutes);
        }
        return new TimeBudget(Duration.ofNanos(Math.max(1, Math.round(minutes * 60e9))));
    }

    /** Starts the clock again (e.g. after a warm-up that should not count). */
    public void restart() {
        start = nanoClock.getAsLong();
        expired = false;
    }

    /** True once a step ended at or beyond the budget; stays true. */
    @Override
    public boolean stopRequested() {
        if (!expired && nanoClock.getAsLong() - start >= budgetNanos) expired = true;
        return expired;
    }

    /** Whether the budget ended the run (i.e. {@link #stopRequested()} returned true). */
    public boolean expired() { return expired; }

    /** Time since the clock started. */
    public Duration elapsed() { return Duration.ofNanos(nanoClock.getAsLong() - start); }

    /** The budget. */
    public Duration budget() { return Duration.ofNanos(budgetNanos); }
}
