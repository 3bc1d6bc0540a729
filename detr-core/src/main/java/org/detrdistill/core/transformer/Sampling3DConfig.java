package org.detrdistill.core.transformer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Arrays;

/**
 * Configuration of AdaMixer's 3-d feature sampling ({@link Sampling3D}). JSON form:
 * {@code {"channels":256,"n_groups":4,"n_points":32,"featmap_strides":[4,8,16,32],"tau":2.0}}.
 *
 * @param channels       C, channels of every feature level; divisible by {@code nGroups}
 * @param nGroups        G, sampling groups; group g reads channels g*C/G .. (g+1)*C/G - 1
 * @param nPoints        P, sampling points per group
 * @param featmapStrides {@code [L]} stride of each feature level in image pixels (positive)
 * @param tau            temperature of the level weights softmax_l(-(z - log2 stride_l)^2 / tau), positive
 */
public record Sampling3DConfig(@JsonProperty("channels") int channels, @JsonProperty("n_groups") int nGroups,
                               @JsonProperty("n_points") int nPoints, @JsonProperty("featmap_strides") int[] featmapStrides,
                               @JsonProperty("tau") double tau) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    @JsonCreator
    public Sampling3DConfig {
        if (channels < 1 || nGroups < 1 || nPoints < 1) {
            throw new IllegalArgumentException("Sampling3DConfig: channels, n_groups, n_points must be >= 1, got "
                    + channels + ", " + nGroups + ", " + nPoints);
        }
        if (channels % nGroups != 0) {
            throw new IllegalArgumentException("Sampling3DConfig: channels " + channels + " is not divisible by n_groups " + nGroups);
        }
        if (featmapStrides == null || featmapStrides.length == 0 || Arrays.stream(featmapStrides).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("Sampling3DConfig: featmap_strides must be a non-empty list of positive strides, got "
                    + Arrays.toString(featmapStrides));
        }
        if (!(tau > 0) || Double.isInfinite(tau)) throw new IllegalArgumentException("Sampling3DConfig: tau must be positive and finite, got " + tau);
        featmapStrides = featmapStrides.clone();
    }

    /** A builder with AdaMixer's defaults: 256 channels, 4 groups, 32 points, strides 4/8/16/32, tau 2. */
    public static Builder builder() { return new Builder(); }

    /** L, number of feature levels. */
    public int levels() { return featmapStrides.length; }

    /** log2 of the stride of level l; exact for powers of two. */
    public double log2Stride(int level) {
        int s = featmapStrides[level];
        return Integer.bitCount(s) == 1 ? Integer.numberOfTrailingZeros(s) : Math.log(s) / Math.log(2);
    }

    /** C/G, channels per group. */
    public int channelsPerGroup() { return channels / nGroups; }

    @Override public int[] featmapStrides() { return featmapStrides.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof Sampling3DConfig c && channels == c.channels && nGroups == c.nGroups && nPoints == c.nPoints
                && Arrays.equals(featmapStrides, c.featmapStrides) && Double.compare(tau, c.tau) == 0;
    }

    @Override public int hashCode() { return ((channels * 31 + nGroups) * 31 + nPoints) * 31 + Arrays.hashCode(featmapStrides) + Double.hashCode(tau); }

    @Override public String toString() {
        return "Sampling3DConfig[channels=" + channels + ", n_groups=" + nGroups + ", n_points=" + nPoints
                + ", featmap_strides=" + Arrays.toString(featmapStrides) + ", tau=" + tau + "]";
    }

    /** This configuration as JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the JSON form; every field is required, an unknown field fails with the list of valid ones. */
    public static Sampling3DConfig fromJson(String json) {
        try {
            return JSON.readValue(json, Sampling3DConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid Sampling3DConfig JSON (fields: channels, n_groups, n_points, featmap_strides, tau): "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Builder of {@link Sampling3DConfig}. */
    public static final class Builder {
        private int channels = 256, nGroups = 4, nPoints = 32;
        private int[] featmapStrides = {4, 8, 16, 32};
        private double tau = 2.0;

        private Builder() {}

        /** C (default 256). */
        public Builder channels(int v) { channels = v; return this; }

        /** G (default 4). */
        public Builder nGroups(int v) { nGroups = v; return this; }

        /** P (default 32). */
        public Builder nPoints(int v) { nPoints = v; return this; }

        /** Strides per level (default 4, 8, 16, 32). */
        public Builder featmapStrides(int... v) { featmapStrides = v.clone(); return this; }

        /** Level temperature (default 2). */
        public Builder tau(double v) { tau = v; return this; }

        /** Validates and builds. */
        public Sampling3DConfig build() { return new Sampling3DConfig(channels, nGroups, nPoints, featmapStrides, tau); }
    }
}
