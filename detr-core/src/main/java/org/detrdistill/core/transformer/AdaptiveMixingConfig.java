package org.detrdistill.core.transformer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Configuration of {@link AdaptiveMixing}, named as AdaMixer's {@code AdaptiveMixing(in_dim, in_points, n_groups,
 * query_dim, out_dim, out_points)}. JSON form: {@code {"in_dim":256,"in_points":32,"n_groups":4,"query_dim":256,
 * "out_dim":256,"out_points":128}}.
 *
 * @param inDim     C_in, channels of the sampled features (all groups); divisible by {@code nGroups}
 * @param inPoints  P_in, sampled points per group
 * @param nGroups   G
 * @param queryDim  d, query width (input and output)
 * @param outDim    C_out, channels after channel mixing (all groups); divisible by {@code nGroups}
 * @param outPoints P_out, points after spatial mixing
 */
public record AdaptiveMixingConfig(@JsonProperty("in_dim") int inDim, @JsonProperty("in_points") int inPoints,
                                   @JsonProperty("n_groups") int nGroups, @JsonProperty("query_dim") int queryDim,
                                   @JsonProperty("out_dim") int outDim, @JsonProperty("out_points") int outPoints) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    @JsonCreator
    public AdaptiveMixingConfig {
        if (inDim < 1 || inPoints < 1 || nGroups < 1 || queryDim < 1 || outDim < 1 || outPoints < 1) {
            throw new IllegalArgumentException("AdaptiveMixingConfig: every size must be >= 1, got in_dim " + inDim + ", in_points "
                    + inPoints + ", n_groups " + nGroups + ", query_dim " + queryDim + ", out_dim " + outDim + ", out_points " + outPoints);
        }
        if (inDim % nGroups != 0 || outDim % nGroups != 0) {
            throw new IllegalArgumentException("AdaptiveMixingConfig: in_dim " + inDim + " and out_dim " + outDim
                    + " must be divisible by n_groups " + nGroups);
        }
    }

    /** A builder with the sizes of the AdaMixer decoder: 256 channels, 32 in-points, 4 groups, query 256, 128 out-points. */
    public static Builder builder() { return new Builder(); }

    /** C_in / G. */
    public int effInDim() { return inDim / nGroups; }

    /** C_out / G. */
    public int effOutDim() { return outDim / nGroups; }

    /** Generated parameters per group: (C_in/G)·(C_out/G) for M plus P_out·P_in for S. */
    public int parametersPerGroup() { return effInDim() * effOutDim() + inPoints * outPoints; }

    /** This configuration as JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the JSON form; every field is required, an unknown field fails with the list of valid ones. */
    public static AdaptiveMixingConfig fromJson(String json) {
        try {
            return JSON.readValue(json, AdaptiveMixingConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid AdaptiveMixingConfig JSON (fields: in_dim, in_points, n_groups, query_dim, "
                    + "out_dim, out_points): " + e.getOriginalMessage(), e);
        }
    }

    /** Builder of {@link AdaptiveMixingConfig}. */
    public static final class Builder {
        private int inDim = 256, inPoints = 32, nGroups = 4, queryDim = 256, outDim = 256, outPoints = 128;

        private Builder() {}

        /** in_dim (default 256). */
        public Builder inDim(int v) { inDim = v; return this; }

        /** in_points (default 32). */
        public Builder inPoints(int v) { inPoints = v; return this; }

        /** n_groups (default 4). */
        public Builder nGroups(int v) { nGroups = v; return this; }

        /** query_dim (default 256). */
        public Builder queryDim(int v) { queryDim = v; return this; }

        /** out_dim (default 256). */
        public Builder outDim(int v) { outDim = v; return this; }

        /** out_points (default 128). */
        public Builder outPoints(int v) { outPoints = v; return this; }

        /** Validates and builds. */
        public AdaptiveMixingConfig build() { return new AdaptiveMixingConfig(inDim, inPoints, nGroups, queryDim, outDim, outPoints); }
    }
}
