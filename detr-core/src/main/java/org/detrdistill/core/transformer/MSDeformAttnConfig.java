package org.detrdistill.core.transformer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Configuration of {@link MSDeformAttn}, named as Deformable DETR's {@code MSDeformAttn(d_model, n_levels, n_heads,
 * n_points)}. JSON form: {@code {"d_model":256,"n_levels":4,"n_heads":8,"n_points":4}}.
 *
 * @param dModel  d, model width; divisible by {@code nHeads}
 * @param nLevels L, feature levels
 * @param nHeads  H, attention heads
 * @param nPoints P, sampling points per head and level
 */
public record MSDeformAttnConfig(@JsonProperty("d_model") int dModel, @JsonProperty("n_levels") int nLevels,
                                 @JsonProperty("n_heads") int nHeads, @JsonProperty("n_points") int nPoints) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    @JsonCreator
    public MSDeformAttnConfig {
        if (dModel < 1 || nLevels < 1 || nHeads < 1 || nPoints < 1) {
            throw new IllegalArgumentException("MSDeformAttnConfig: d_model, n_levels, n_heads, n_points must be >= 1, got "
                    + dModel + ", " + nLevels + ", " + nHeads + ", " + nPoints);
        }
        if (dModel % nHeads != 0) {
            throw new IllegalArgumentException("MSDeformAttnConfig: d_model " + dModel + " is not divisible by n_heads " + nHeads);
        }
    }

    /** A builder starting from the reference defaults (d_model 256, 4 levels, 8 heads, 4 points). */
    public static Builder builder() { return new Builder(); }

    /** A builder starting from this configuration. */
    public Builder toBuilder() { return new Builder().dModel(dModel).nLevels(nLevels).nHeads(nHeads).nPoints(nPoints); }

    /** D = d_model / n_heads, channels per head. */
    public int headDim() { return dModel / nHeads; }

    /** This configuration as JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses the JSON form. All four fields are required; an unknown field fails and the message lists the valid ones.
     */
    public static MSDeformAttnConfig fromJson(String json) {
        try {
            return JSON.readValue(json, MSDeformAttnConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid MSDeformAttnConfig JSON (fields: d_model, n_levels, n_heads, n_points): "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Builder of {@link MSDeformAttnConfig}. */
    public static final class Builder {
        private int dModel = 256, nLevels = 4, nHeads = 8, nPoints = 4;

        private Builder() {}

        /** d_model (default 256). */
        public Builder dModel(int v) { dModel = v; return this; }

        /** n_levels (default 4). */
        public Builder nLevels(int v) { nLevels = v; return this; }

        /** n_heads (default 8). */
        public Builder nHeads(int v) { nHeads = v; return this; }

        /** n_points (default 4). */
        public Builder nPoints(int v) { nPoints = v; return this; }

        /** Validates and builds. */
        public MSDeformAttnConfig build() { return new MSDeformAttnConfig(dModel, nLevels, nHeads, nPoints); }
    }
}
