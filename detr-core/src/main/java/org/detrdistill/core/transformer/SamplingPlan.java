package org.detrdistill.core.transformer;

import java.util.Arrays;

/**
 * What {@link BilinearSampler} (and {@link BilinearSamplerReference}) sample and how they reduce: a value sequence of
 * {@code groups} groups of {@code channels} channels laid out over the levels of {@code levels}, and per query and
 * group {@code T = levelOfSample.length} sampling locations, sample {@code t} reading level {@code levelOfSample[t]}.
 * Consecutive runs of {@code samplesPerOutput} samples are summed (weighted) into one output point.
 *
 * <p>Two layouts are used: Deformable DETR sums over all levels and points ({@link #deformable}: t = l*P + p, one
 * output per query and head); AdaMixer sums over the levels of each point ({@link #levelBlend}: t = p*L + l, one
 * output per point).
 *
 * @param levels           the pyramid (H_l, W_l) of the value sequence, S = {@code levels.totalSize()}
 * @param groups           G, groups (heads) of the value; group g of position s is value row {@code (b*S + s)*G + g}
 * @param channels         C, channels per group
 * @param levelOfSample    {@code [T]} level read by each sample
 * @param samplesPerOutput R, samples summed per output point; divides T
 */
public record SamplingPlan(LevelShapes levels, int groups, int channels, int[] levelOfSample, int samplesPerOutput) {

    public SamplingPlan {
        if (levels == null) throw new IllegalArgumentException("levels must not be null");
        if (groups < 1) throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        if (channels < 1) throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        if (levelOfSample == null || levelOfSample.length == 0) throw new IllegalArgumentException("levelOfSample must not be empty");
        for (int t = 0; t < levelOfSample.length; t++) {
            if (levelOfSample[t] < 0 || levelOfSample[t] >= levels.levels()) {
                throw new IllegalArgumentException("levelOfSample[" + t + "] = " + levelOfSample[t] + " is not a level of " + levels);
            }
        }
        if (samplesPerOutput < 1 || levelOfSample.length % samplesPerOutput != 0) {
            throw new IllegalArgumentException("samplesPerOutput " + samplesPerOutput + " must divide the sample count " + levelOfSample.length);
        }
        levelOfSample = levelOfSample.clone();
    }

    /**
     * Deformable DETR layout: locations {@code [B,Q,H,L*P,2]} with sample t = l*P + p, all L*P samples summed into one
     * output per query and head.
     */
    public static SamplingPlan deformable(LevelShapes levels, int heads, int headDim, int points) {
        int l = levels.levels();
        int[] lv = new int[l * points];
        for (int t = 0; t < lv.length; t++) lv[t] = t / points;
        return new SamplingPlan(levels, heads, headDim, lv, l * points);
    }

    /**
     * AdaMixer layout: locations {@code [B,Q,G,P*L,2]} with sample t = p*L + l, the L levels of each point summed
     * into one output per point.
     */
    public static SamplingPlan levelBlend(LevelShapes levels, int groups, int channelsPerGroup, int points) {
        int l = levels.levels();
        int[] lv = new int[l * points];
        for (int t = 0; t < lv.length; t++) lv[t] = t % l;
        return new SamplingPlan(levels, groups, channelsPerGroup, lv, l);
    }

    /** T, samples per query and group. */
    public int samples() { return levelOfSample.length; }

    /** O = T / R, output points per query and group. */
    public int outputsPerGroup() { return levelOfSample.length / samplesPerOutput; }

    /** S, length of the value sequence per image. */
    public int sequenceLength() { return levels.totalSize(); }

    @Override public int[] levelOfSample() { return levelOfSample.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof SamplingPlan p && levels.equals(p.levels) && groups == p.groups && channels == p.channels
                && Arrays.equals(levelOfSample, p.levelOfSample) && samplesPerOutput == p.samplesPerOutput;
    }

    @Override public int hashCode() {
        return ((levels.hashCode() * 31 + groups) * 31 + channels) * 31 * 31 + Arrays.hashCode(levelOfSample) * 31 + samplesPerOutput;
    }

    @Override public String toString() {
        return "SamplingPlan[" + levels + ", groups=" + groups + ", channels=" + channels + ", samples=" + samples()
                + ", samplesPerOutput=" + samplesPerOutput + "]";
    }
}
