package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code torch.nn.GroupNorm(groups, channels)} on NCHW feature maps: the channels are split into {@code groups}
 * consecutive groups, each group of each image is normalised over its channels and pixels with the biased variance,
 * {@code (x − mean) / sqrt(var + eps)} with {@code eps = 1e-5}, then scaled and shifted per channel by
 * {@code <prefix>.weight [C]} (init 1) and {@code <prefix>.bias [C]} (init 0).
 *
 * <p>Built from primitives on a 2-D view {@code [B·G, (C/G)·H·W]} and reduced along the positive axis 1: SameDiff
 * 1.0.0-M2.1 returns wrong values for keep-dims reductions of rank ≥ 3 tensors along negative axes, and its fused
 * normalisation ops have no epsilon. B, H and W may be dynamic. Checked against a hand computation and by finite
 * differences in {@code GroupNormTest}.
 */
public final class GroupNorm {
    /** PyTorch's default epsilon. */
    public static final double EPS = 1e-5;

    private GroupNorm() {}

    /**
     * @param x        {@code [B, C, H, W]}
     * @param channels C, divisible by {@code groups}
     * @param groups   G
     * @return {@code [B, C, H, W]}
     */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, int channels, int groups) {
        check(channels, groups);
        SDVariable g = p.create(prefix + ".weight", Init.ones(), channels);
        SDVariable b = p.create(prefix + ".bias", Init.zeros(), channels);
        return apply(x, g, b, channels, groups);
    }

    /** Applies existing per-channel gain and bias {@code [C]} to {@code x [B, C, H, W]}. */
    public static SDVariable apply(SDVariable x, SDVariable gain, SDVariable bias, int channels, int groups) {
        check(channels, groups);
        SameDiff sd = x.getSameDiff();
        SDVariable imagesTimesGroups = Shapes.size(sd, x, 0).mul(sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray((long) groups)));
        SDVariable rows = Shapes.reshape(sd, x, imagesTimesGroups, -1L);                          // [B·G, (C/G)·H·W]
        SDVariable centred = rows.sub(rows.mean(true, 1));
        SDVariable variance = centred.mul(centred).mean(true, 1);
        SDVariable normed = sd.reshape(centred.div(sd.math.sqrt(variance.add(EPS))), sd.shape(x));
        return normed.mul(sd.reshape(gain, 1, channels, 1, 1)).add(sd.reshape(bias, 1, channels, 1, 1));
    }

    private static void check(int channels, int groups) {
        if (groups < 1 || channels < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: channels " + channels + " must be divisible by groups " + groups);
        }
    }
}
