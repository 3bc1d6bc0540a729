package org.detrdistill.datasets.image;

import java.util.Arrays;

/**
 * Per-channel normalisation applied when an image becomes a tensor: {@code x = (v / 255 - mean[c]) / std[c]} for an
 * 8-bit value {@code v} of RGB channel {@code c}.
 *
 * @param mean {@code [3]} R, G, B means on the 0..1 scale
 * @param std  {@code [3]} R, G, B standard deviations on the 0..1 scale, positive
 */
public record Normalization(float[] mean, float[] std) {

    /** ImageNet statistics used by DETR and torchvision backbones: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225). */
    public static final Normalization IMAGENET = new Normalization(new float[]{0.485f, 0.456f, 0.406f},
            new float[]{0.229f, 0.224f, 0.225f});

    /** No normalisation beyond scaling to 0..1: mean 0, std 1. */
    public static final Normalization UNIT = new Normalization(new float[]{0, 0, 0}, new float[]{1, 1, 1});

    public Normalization {
        if (mean == null || std == null || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std must each have 3 values (R, G, B)");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() { return mean.clone(); }

    @Override
    public float[] std() { return std.clone(); }

    /** Multiplier of the 8-bit value for RGB channel {@code c}: {@code 1 / (255 * std[c])}. */
    float scale(int c) { return 1f / (255f * std[c]); }

    /** Offset for RGB channel {@code c}: {@code -mean[c] / std[c]}. */
    float offset(int c) { return -mean[c] / std[c]; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std); }

    @Override
    public String toString() { return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]"; }
}
