package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.samediff.InferenceFactory;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;

/**
 * Makes SameDiff run graphs with {@link PlanSession}: cached execution plans and pooled arrays instead of the stock
 * executor's per-call scheduling (see {@link PlanSession} for what that costs in nd4j-api 1.0.0-M2.1). Uses SameDiff's
 * public hook {@link SameDiff#bindInferenceFactory}; sessions are created per graph and thread on first use, so
 * graphs that already ran keep the session they have.
 *
 * <p>On by default once {@link #install()} is called (the detector builder, the training step and the criterion call
 * it). {@code -Ddetr.executor=stock} keeps the stock executor, for comparisons and as an escape hatch.
 */
public final class FastExecution {
    /** System property choosing the executor: {@code plan} (default) or {@code stock}. */
    public static final String PROPERTY = "detr.executor";

    private static final InferenceFactory PLAN = PlanSession::new;
    private static final InferenceFactory STOCK = InferenceSession::new;

    private FastExecution() {}

    /**
     * Binds the plan executor for sessions created from now on, unless {@code -Ddetr.executor=stock}. Idempotent.
     *
     * @return whether the plan executor is active
     * @throws IllegalArgumentException if {@code detr.executor} has another value (names the valid ones)
     */
    public static synchronized boolean install() {
        String mode = System.getProperty(PROPERTY, "plan").trim();
        switch (mode) {
            case "plan" -> {
                if (SameDiff.getInferenceFactory() != PLAN) SameDiff.bindInferenceFactory(PLAN);
                return true;
            }
            case "stock" -> { return false; }
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " must be 'plan' or 'stock', got '" + mode + "'");
        }
    }

    /** Whether new sessions use the plan executor. */
    public static boolean isInstalled() { return SameDiff.getInferenceFactory() == PLAN; }

    /** Binds the stock executor again (tests comparing both). */
    static synchronized void useStockForTest() { SameDiff.bindInferenceFactory(STOCK); }

    /** One word for logs and benchmark headers: {@code plan} or {@code stock}. */
    public static String describe() { return isInstalled() ? "plan" : "stock"; }
}
