package org.detrdistill.core.transformer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Arrays;

/**
 * Configuration of one {@link AdaMixerDecoderStage}, named as AdaMixer's {@code AdaMixerDecoderStage(num_classes,
 * num_ffn_fcs=2, num_heads, num_cls_fcs, num_reg_fcs, feedforward_channels, content_dim, feat_channels, in_points,
 * out_points, n_groups)} plus the decoder's {@code featmap_strides}. JSON form (snake case, every field required):
 * {@code {"num_classes":80,"content_dim":256,"feat_channels":256,"num_heads":8,"feedforward_channels":2048,
 * "in_points":32,"out_points":128,"n_groups":4,"mix_out_dim":256,"num_cls_fcs":1,"num_reg_fcs":1,
 * "featmap_strides":[4,8,16,32],"sampling_tau":2.0}}.
 *
 * @param numClasses    C, sigmoid classes of {@code fc_cls}
 * @param contentDim    d, query content width; divisible by 8 (the xyzr position embedding has d/4 features per
 *                      coordinate in sin/cos pairs) and by {@code numHeads}
 * @param featChannels  channels of every feature level (the neck width); divisible by {@code nGroups}
 * @param numHeads      self-attention heads (each with its own learned IoF temperature {@code iof_tau})
 * @param ffnDim        FFN hidden width ({@code feedforward_channels})
 * @param inPoints      P_in, sampling points per group
 * @param outPoints     P_out, points after spatial mixing
 * @param nGroups       G, sampling and mixing groups
 * @param mixOutDim     channels after channel mixing, all groups ({@code AdaptiveMixing.out_dim}; the reference passes
 *                      {@code feat_channels}); divisible by {@code nGroups}
 * @param numClsFcs     Linear-LayerNorm-ReLU blocks before {@code fc_cls} (reference 1)
 * @param numRegFcs     Linear-LayerNorm-ReLU blocks before {@code fc_reg} (reference 1)
 * @param featmapStrides stride of each feature level in image pixels
 * @param samplingTau   temperature of the level weights of the 3-D sampling (reference 2)
 */
public record AdaMixerStageConfig(@JsonProperty("num_classes") int numClasses, @JsonProperty("content_dim") int contentDim,
                                  @JsonProperty("feat_channels") int featChannels, @JsonProperty("num_heads") int numHeads,
                                  @JsonProperty("feedforward_channels") int ffnDim, @JsonProperty("in_points") int inPoints,
                                  @JsonProperty("out_points") int outPoints, @JsonProperty("n_groups") int nGroups,
                                  @JsonProperty("mix_out_dim") int mixOutDim, @JsonProperty("num_cls_fcs") int numClsFcs,
                                  @JsonProperty("num_reg_fcs") int numRegFcs,
                                  @JsonProperty("featmap_strides") int[] featmapStrides,
                                  @JsonProperty("sampling_tau") double samplingTau) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    @JsonCreator
    public AdaMixerStageConfig {
        if (numClasses < 1 || contentDim < 1 || featChannels < 1 || numHeads < 1 || ffnDim < 1 || inPoints < 1
                || outPoints < 1 || nGroups < 1 || mixOutDim < 1 || numClsFcs < 0 || numRegFcs < 0) {
            throw new IllegalArgumentException("AdaMixerStageConfig: sizes must be >= 1 (fc counts >= 0), got " + describe(
                    numClasses, contentDim, featChannels, numHeads, ffnDim, inPoints, outPoints, nGroups, mixOutDim, numClsFcs, numRegFcs));
        }
        if (contentDim % 8 != 0) {
            throw new IllegalArgumentException("AdaMixerStageConfig: content_dim " + contentDim
                    + " must be divisible by 8 (position embedding: content_dim/4 sin/cos features per xyzr coordinate)");
        }
        if (contentDim % numHeads != 0) {
            throw new IllegalArgumentException("AdaMixerStageConfig: content_dim " + contentDim + " is not divisible by num_heads " + numHeads);
        }
        if (featChannels % nGroups != 0 || mixOutDim % nGroups != 0) {
            throw new IllegalArgumentException("AdaMixerStageConfig: feat_channels " + featChannels + " and mix_out_dim " + mixOutDim
                    + " must be divisible by n_groups " + nGroups);
        }
        if (featmapStrides == null || featmapStrides.length == 0 || Arrays.stream(featmapStrides).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("AdaMixerStageConfig: featmap_strides must be positive, got " + Arrays.toString(featmapStrides));
        }
        if (!(samplingTau > 0) || Double.isInfinite(samplingTau)) {
            throw new IllegalArgumentException("AdaMixerStageConfig: sampling_tau must be positive and finite, got " + samplingTau);
        }
        featmapStrides = featmapStrides.clone();
    }

    private static String describe(int... v) {
        return "num_classes " + v[0] + ", content_dim " + v[1] + ", feat_channels " + v[2] + ", num_heads " + v[3]
                + ", feedforward_channels " + v[4] + ", in_points " + v[5] + ", out_points " + v[6] + ", n_groups " + v[7]
                + ", mix_out_dim " + v[8] + ", num_cls_fcs " + v[9] + ", num_reg_fcs " + v[10];
    }

    /** A builder with the reference sizes (80 classes, d 256, 8 heads, FFN 2048, 32/128 points, 4 groups). */
    public static Builder builder() { return new Builder(); }

    /** The configuration of the stage's 3-D sampling. */
    public Sampling3DConfig sampling() {
        return new Sampling3DConfig(featChannels, nGroups, inPoints, featmapStrides, samplingTau);
    }

    /** The configuration of the stage's adaptive mixing. */
    public AdaptiveMixingConfig mixing() {
        return new AdaptiveMixingConfig(featChannels, inPoints, nGroups, contentDim, mixOutDim, outPoints);
    }

    @Override public int[] featmapStrides() { return featmapStrides.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof AdaMixerStageConfig c && toJson().equals(c.toJson());
    }

    @Override public int hashCode() { return toJson().hashCode(); }

    @Override public String toString() { return "AdaMixerStageConfig" + toJson(); }

    /** This configuration as JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the JSON form; every field is required, an unknown field fails naming it. */
    public static AdaMixerStageConfig fromJson(String json) {
        try {
            return JSON.readValue(json, AdaMixerStageConfig.class);
        } catch (JsonProcessingException e) {
            Throwable root = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("invalid AdaMixerStageConfig JSON: "
                    + (root == e ? e.getOriginalMessage() : root.getMessage()), e);
        }
    }

    /** Builder of {@link AdaMixerStageConfig}. */
    public static final class Builder {
        private int numClasses = 80, contentDim = 256, featChannels = 256, numHeads = 8, ffnDim = 2048;
        private int inPoints = 32, outPoints = 128, nGroups = 4, mixOutDim = -1, numClsFcs = 1, numRegFcs = 1;
        private int[] featmapStrides = {4, 8, 16, 32};
        private double samplingTau = 2.0;

        private Builder() {}

        public Builder numClasses(int v) { numClasses = v; return this; }
        public Builder contentDim(int v) { contentDim = v; return this; }
        public Builder featChannels(int v) { featChannels = v; return this; }
        public Builder numHeads(int v) { numHeads = v; return this; }
        public Builder ffnDim(int v) { ffnDim = v; return this; }
        public Builder inPoints(int v) { inPoints = v; return this; }
        public Builder outPoints(int v) { outPoints = v; return this; }
        public Builder nGroups(int v) { nGroups = v; return this; }
        /** Channel-mixing output width over all groups; default {@code featChannels} (the reference). */
        public Builder mixOutDim(int v) { mixOutDim = v; return this; }
        public Builder numClsFcs(int v) { numClsFcs = v; return this; }
        public Builder numRegFcs(int v) { numRegFcs = v; return this; }
        public Builder featmapStrides(int... v) { featmapStrides = v.clone(); return this; }
        public Builder samplingTau(double v) { samplingTau = v; return this; }

        /** Validates and builds. */
        public AdaMixerStageConfig build() {
            return new AdaMixerStageConfig(numClasses, contentDim, featChannels, numHeads, ffnDim, inPoints, outPoints, nGroups,
                    mixOutDim < 0 ? featChannels : mixOutDim, numClsFcs, numRegFcs, featmapStrides, samplingTau);
        }
    }
}
