package org.detrdistill.core.model;

/**
 * Options of AdaMixer (MCG-NJU/AdaMixer defaults in brackets). AdaMixer has no encoder: a channel-mapping neck
 * gives {@code numLevels} levels (strides 4, 8, 16, 32) and every decoder stage samples them in 3-D.
 *
 * @param numLevels   feature levels [4]
 * @param groups      sampling/mixing groups [4]
 * @param inPoints    sampled points per group [32]
 * @param outPoints   spatial-mixing output points per group [128]
 * @param mixDim      channel-mixing width per group, {@code hiddenDim / groups} in the reference [64]
 */
public record AdaMixerOptions(int numLevels, int groups, int inPoints, int outPoints, int mixDim) {
    public AdaMixerOptions {
        if (numLevels < 1 || numLevels > 4) throw new IllegalArgumentException("adamixer.numLevels must be in [1, 4], got " + numLevels);
        if (groups < 1) throw new IllegalArgumentException("adamixer.groups must be >= 1, got " + groups);
        if (inPoints < 1) throw new IllegalArgumentException("adamixer.inPoints must be >= 1, got " + inPoints);
        if (outPoints < 1) throw new IllegalArgumentException("adamixer.outPoints must be >= 1, got " + outPoints);
        if (mixDim < 1) throw new IllegalArgumentException("adamixer.mixDim must be >= 1, got " + mixDim);
    }

    /** The reference defaults for d = 256: 4 levels, 4 groups, 32 in-points, 128 out-points, mixing width 64. */
    public static AdaMixerOptions defaults() { return new AdaMixerOptions(4, 4, 32, 128, 64); }
}
