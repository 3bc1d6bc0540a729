package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code torch.nn.LayerNorm(d)} over the last axis: {@code (x - mean) / sqrt(var + eps) * weight + bias}, biased
 * variance, {@code eps = 1e-5}; parameters {@code <prefix>.weight [d]} (init 1) and {@code <prefix>.bias [d]} (init 0).
 *
 * <p>Built from primitives on purpose: DL4J 1.0.0-M2.1's fused {@code layer_norm} op divides by the standard
 * deviation without any epsilon, so it departs from PyTorch wherever the variance is small (measured: 0.169 instead
 * of 0.0385 for a row of variance 5e-7), which breaks parity with reference weights. See {@code NnParityTest}.
 */
public final class LayerNorm {
    /** PyTorch's default epsilon. */
    public static final double EPS = 1e-5;

    private LayerNorm() {}

    /** @param x {@code [..., d]}; returns the same shape. */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, long d) {
        SDVariable g = p.create(prefix + ".weight", Init.ones(), d);
        SDVariable b = p.create(prefix + ".bias", Init.zeros(), d);
        return apply(x, g, b, d);
    }

    /** On a 2-D input {@code x [N, d]}; returns {@code [N, d]}. */
    public static SDVariable apply2d(ParamFactory p, String prefix, SDVariable x, long d) {
        SDVariable g = p.create(prefix + ".weight", Init.ones(), d);
        SDVariable b = p.create(prefix + ".bias", Init.zeros(), d);
        return apply2d(x, g, b);
    }

    /** Applies existing gain and bias {@code [d]} to a 2-D {@code x [N, d]} (7 ops, no reshapes). */
    public static SDVariable apply2d(SDVariable x, SDVariable gain, SDVariable bias) {
        SameDiff sd = x.getSameDiff();
        SDVariable[] meanVar = sd.math.moments(x, new int[]{1}, true);                  // [N,1] each, biased variance
        SDVariable inv = sd.math.rsqrt(meanVar[1].add(EPS));
        return x.sub(meanVar[0]).mul(inv).mul(gain).add(bias);
    }

    /** Applies existing gain and bias {@code [d]} to {@code x [..., d]}. */
    public static SDVariable apply(SDVariable x, SDVariable gain, SDVariable bias, long d) {
        SameDiff sd = x.getSameDiff();
        boolean flat = x.getShape() != null && x.getShape().length == 2;
        SDVariable y = apply2d(flat ? x : Shapes.flatten2d(sd, x, d), gain, bias);
        return flat ? y : sd.reshape(y, sd.shape(x));
    }
}
