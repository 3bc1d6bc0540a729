package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Numerically stable softplus, log-sigmoid and binary cross-entropy with logits.
 *
 * <p><b>Defect (nd4j-api 1.0.0-M2.1 native ops):</b> {@code nn.softplus} computes {@code log(1 + exp(x))} literally:
 * {@code softplus(100)} is {@code +inf} in FLOAT (and {@code softplus(1000)} in DOUBLE), and {@code softplus(-30)} in
 * DOUBLE is 9.348e-14 instead of 9.358e-14. {@code nn.logSigmoid(-100)} is {@code -inf} in FLOAT. A class logit of
 * ±100 is not unusual in a focal head, so losses built on them can turn into inf/NaN (see {@code SoftplusTest}).
 *
 * <p><b>Workaround:</b> {@code softplus(x) = s·x + log1p(exp(−|x|))} with {@code s = [x > 0]} a constant mask, and
 * {@code |x| = (2s − 1)·x}. The mask form (rather than {@code relu} and {@code abs}) keeps the gradient exactly
 * {@code sigmoid(x)} at {@code x = 0} (relu and abs both have derivative 0 there in ND4J, which would give 0 instead of
 * 0.5).
 */
public final class Softplus {
    private Softplus() {
    }

    /** {@code log(1 + exp(x))}, elementwise, finite for every finite {@code x}. */
    public static SDVariable of(SameDiff sd, SDVariable x) {
        SDVariable s = x.gt(0.0).castTo(x.dataType());
        SDVariable negAbs = x.mul(s.mul(-2.0).add(1.0));   // −|x|
        return s.mul(x).add(sd.math.log1p(sd.math.exp(negAbs)));
    }

    /** {@code log(sigmoid(x)) = −softplus(−x)}, elementwise. */
    public static SDVariable logSigmoid(SameDiff sd, SDVariable x) {
        return of(sd, x.neg()).neg();
    }

    /**
     * Binary cross-entropy with logits and (soft) targets: {@code softplus(x) − x·t}, which equals
     * {@code −t·log σ(x) − (1 − t)·log(1 − σ(x))}; same shape as {@code x}, no reduction.
     *
     * @param logits  any shape
     * @param targets same shape (or broadcastable), values in {@code [0, 1]}
     */
    public static SDVariable bceWithLogits(SameDiff sd, SDVariable logits, SDVariable targets) {
        return of(sd, logits).sub(logits.mul(targets));
    }
}
