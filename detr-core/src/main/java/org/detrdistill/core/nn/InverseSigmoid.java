package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The DETR-family references' {@code inverse_sigmoid(x, eps=1e-5)}: x clamped to [0, 1], then
 * {@code log(max(x, eps) / max(1 − x, eps))}. Elementwise, any shape; the gradient is zero where a clamp is active
 * (as PyTorch's {@code clamp}).
 */
public final class InverseSigmoid {
    /** The references' epsilon. */
    public static final double EPS = 1e-5;

    private InverseSigmoid() {}

    /** @param x values in [0, 1] (normalised boxes, reference points); returns logits of the same shape */
    public static SDVariable apply(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        SDVariable c = sd.math.clipByValue(x, 0, 1);
        SDVariable x1 = sd.math.clipByValue(c, EPS, Double.MAX_VALUE);
        SDVariable x2 = sd.math.clipByValue(c.rsub(1.0), EPS, Double.MAX_VALUE);
        return sd.math.log(x1.div(x2));
    }
}
