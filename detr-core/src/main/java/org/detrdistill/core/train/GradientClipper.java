package org.detrdistill.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Global gradient-norm clipping, as {@code torch.nn.utils.clip_grad_norm_(params, maxNorm)}: the L2 norm over all
 * gradients together, {@code N = sqrt(sum_i ||g_i||^2)}; if {@code maxNorm > 0} and
 * {@code c = maxNorm / (N + 1e-6) < 1}, every gradient is multiplied by {@code c} in place.
 *
 * <p>The per-tensor norms are computed by ND4J in the gradient's type and combined in double precision. A non-finite
 * norm (a NaN or infinite gradient entry, or overflow) leaves the gradients untouched: {@link NonFiniteGuard} decides.
 * Immutable.
 *
 * @param maxNorm the largest allowed global norm; 0 = no clipping (the norm is still computed, for logging)
 */
public record GradientClipper(double maxNorm) {

    /** The references' tolerance added to the norm before dividing (torch's {@code total_norm + 1e-6}). */
    public static final double EPS = 1e-6;

    public GradientClipper {
        if (!(maxNorm >= 0 && maxNorm < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("maxNorm must be finite and >= 0 (0 = off), got " + maxNorm);
        }
    }

    /** No clipping; {@link #clip} only measures the norm. */
    public static GradientClipper off() { return new GradientClipper(0); }

    /** Whether clipping is on. */
    public boolean enabled() { return maxNorm > 0; }

    /** The global L2 norm of {@code grads} (null entries are skipped), in double precision. */
    public static double globalNorm(Map<String, INDArray> grads) {
        double sumSq = 0;
        for (INDArray g : grads.values()) {
            if (g == null || g.isEmpty()) continue;
            double n = g.norm2Number().doubleValue();
            sumSq += n * n;
        }
        return Math.sqrt(sumSq);
    }

    /**
     * Clips {@code grads} in place if enabled and the norm exceeds {@code maxNorm}.
     *
     * @return the global norm before clipping (NaN or infinite if a gradient is)
     */
    public double clip(Map<String, INDArray> grads) {
        double norm = globalNorm(grads);
        scale(grads, norm);
        return norm;
    }

    /**
     * The second half of {@link #clip}, for callers that computed the norm already: scales {@code grads} in place by
     * {@code maxNorm / (norm + 1e-6)} if clipping is on, {@code norm} is finite and the factor is below 1.
     *
     * @param norm the global norm of {@code grads} ({@link #globalNorm})
     * @return whether the gradients were scaled
     */
    public boolean scale(Map<String, INDArray> grads, double norm) {
        if (maxNorm <= 0 || !Double.isFinite(norm)) return false;
        double coef = maxNorm / (norm + EPS);
        if (coef >= 1) return false;
        for (INDArray g : grads.values()) if (g != null && !g.isEmpty()) g.muli(coef);
        return true;
    }
}
