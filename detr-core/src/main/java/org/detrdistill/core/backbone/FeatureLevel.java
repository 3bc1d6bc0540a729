package org.detrdistill.core.backbone;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Objects;

/**
 * One multi-scale output of a backbone.
 *
 * @param name     level name, {@code "C2"} .. {@code "C5"}
 * @param output   the graph variable, {@code [B, channels, ceil-ish(H/stride), ceil-ish(W/stride)]} NCHW; its SameDiff
 *                 name is {@code prefix + name}, e.g. {@code backbone.0.body.C5}
 * @param channels number of channels
 * @param stride   stride relative to the input image (4, 8, 16 or 32)
 */
public record FeatureLevel(String name, SDVariable output, int channels, int stride) {
    public FeatureLevel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(output, "output");
        if (channels < 1 || stride < 1) {
            throw new IllegalArgumentException(name + ": channels and stride must be >= 1, got " + channels + ", " + stride);
        }
    }

    /** SameDiff name of {@link #output()}. */
    public String variableName() { return output.name(); }

    /**
     * Spatial size of this level for an input of height/width {@code size}, as the conv arithmetic of the stem and
     * the strided stages gives it (each stride-2 step maps n to {@code floor((n - 1) / 2) + 1}).
     */
    public long outputSize(long size) {
        long n = size;
        for (int s = stride; s > 1; s /= 2) n = (n - 1) / 2 + 1;
        return n;
    }
}
