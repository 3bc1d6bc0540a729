package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Log-softmax along any axis, with a gradient.
 *
 * <p><b>Defect (nd4j-api 1.0.0-M2.1):</b> {@code sd.nn.logSoftmax(x, axis)} fails when the gradient graph is built
 * ({@code RuntimeException: Error setting property for function ...LogSoftMax}, see {@code LogSoftmaxTest}).
 * {@code math.logSumExp} fails in backward too (project notes).
 *
 * <p><b>Workaround:</b> {@code x − m − log(Σ exp(x − m))} along the axis, {@code m} the maximum along the axis
 * (its gradient cancels exactly). Stable for large logits, unlike {@code log(softmax(x))}.
 */
public final class LogSoftmax {
    private LogSoftmax() {
    }

    /**
     * @param x    logits, any shape
     * @param axis the normalised axis (non-negative)
     * @return same shape as {@code x}: {@code log softmax(x)} along {@code axis}
     */
    public static SDVariable of(SameDiff sd, SDVariable x, int axis) {
        SDVariable shifted = x.sub(x.max(true, axis));
        return shifted.sub(sd.math.log(sd.math.exp(shifted).sum(true, axis)));
    }
}
