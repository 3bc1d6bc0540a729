package org.detrdistill.core.train;

/**
 * Training hit a NaN or infinite value. Thrown before the optimizer update of that step, so the parameters, the
 * optimizer state and every checkpoint on disk are those of the last good step.
 */
public final class NonFiniteException extends RuntimeException {
    private final long step;
    private final String term;
    private final double value;

    /**
     * @param step  the optimizer step (0-based global iteration) that produced the value
     * @param term  what was non-finite: a loss term name, or {@code "gradient of <parameter>"}
     * @param value the offending value (a loss value, or the gradient's L2 norm)
     */
    public NonFiniteException(long step, String term, double value) {
        super("non-finite value at step " + step + ": " + term + " = " + value
                + "; training stopped before the update, the last checkpoint is unchanged");
        this.step = step;
        this.term = term;
        this.value = value;
    }

    public long step() { return step; }

    /** The loss term or {@code "gradient of <parameter>"}. */
    public String term() { return term; }

    public double value() { return value; }
}
