package org.detrdistill.core.train;

/**
 * Callbacks of a training loop. Every method has an empty default, so a listener implements only what it needs.
 * Called on the training thread, in registration order. An exception thrown by a listener stops training (this is how
 * {@link NonFiniteGuard} stops it); the loop then still calls {@link #onTrainEnd} on every listener.
 */
public interface TrainingListener {

    /** After the optimizer update of a step. */
    default void onStepEnd(StepMetrics metrics) {}

    /**
     * After the last step of an epoch.
     *
     * @param epoch 0-based epoch that ended
     * @param step  number of optimizer steps done so far (the next step's index)
     */
    default void onEpochEnd(int epoch, long step) {}

    /** After an evaluation. */
    default void onEval(EvalStats stats) {}

    /**
     * Asked after every step (after {@link #onStepEnd}): true ends training gracefully — the current epoch is closed
     * as if it were the last one ({@link #onEpochEnd}, the final evaluation, the {@code last} checkpoint), and the
     * run ends without a failure. A later {@code resume} continues at the next epoch. Default false; see
     * {@link TimeBudget}.
     */
    default boolean stopRequested() { return false; }

    /**
     * Once, when training ends for any reason.
     *
     * @param step    number of optimizer steps done
     * @param failure why training stopped early, or null if it completed
     */
    default void onTrainEnd(long step, Throwable failure) {}
}
