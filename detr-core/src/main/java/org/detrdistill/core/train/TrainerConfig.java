package org.detrdistill.core.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.detrdistill.core.model.Variant;

import java.util.Arrays;

/**
 * How a detector is trained. Saved as JSON beside the checkpoints; every field has a default.
 *
 * @param epochs          passes over the training set (≥ 1)
 * @param maxIterations   stop after this many optimizer steps in total, even mid-epoch (0 = no cap)
 * @param lr              base learning rate; parameter groups scale it (backbone 0.1×, …: {@link ParamGroups#forVariant})
 * @param weightDecay     AdamW's decoupled weight decay
 * @param clipMaxNorm     global gradient-norm clipping (0 = off)
 * @param lrDropEpochs    epochs after which the learning rate is multiplied by {@code lrGamma}
 * @param lrGamma         factor of each drop
 * @param warmupIterations linear warm-up iterations (0 = none), from {@code warmupFactor × lr}
 * @param warmupFactor    start factor of the warm-up
 * @param evalEveryEpochs evaluate on the validation set every this many epochs, and after the last (0 = never)
 * @param seed            seed of the parameter initialisation and of the data order and augmentations
 * @param topK            detections kept per image for evaluation
 */
public record TrainerConfig(int epochs, long maxIterations, double lr, double weightDecay, double clipMaxNorm,
                            int[] lrDropEpochs, double lrGamma, long warmupIterations, double warmupFactor,
                            int evalEveryEpochs, long seed, int topK) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public TrainerConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (maxIterations < 0) throw new IllegalArgumentException("maxIterations must be >= 0 (0 = no cap), got " + maxIterations);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
        if (weightDecay < 0) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
        if (clipMaxNorm < 0) throw new IllegalArgumentException("clipMaxNorm must be >= 0 (0 = off), got " + clipMaxNorm);
        lrDropEpochs = lrDropEpochs == null ? new int[0] : lrDropEpochs.clone();
        if (evalEveryEpochs < 0) throw new IllegalArgumentException("evalEveryEpochs must be >= 0, got " + evalEveryEpochs);
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        if (warmupIterations < 0 || !(warmupFactor > 0 && warmupFactor <= 1)) {
            throw new IllegalArgumentException("warmupIterations must be >= 0 and warmupFactor in (0, 1]");
        }
    }

    /** The learning-rate schedule this config describes, for epochs of {@code itersPerEpoch} iterations. */
    public LrSchedule schedule(long itersPerEpoch) {
        LrSchedule s = LrSchedule.constant(lr);
        if (lrDropEpochs.length > 0) s = s.stepDecayAtEpochs(lrGamma, Math.max(1, itersPerEpoch), lrDropEpochs);
        if (warmupIterations > 0) s = s.linearWarmup(warmupIterations, warmupFactor);
        return s;
    }

    /** The total number of optimizer steps for epochs of {@code itersPerEpoch} iterations. */
    public long totalSteps(long itersPerEpoch) {
        long all = Math.multiplyExact((long) epochs, itersPerEpoch);
        return maxIterations > 0 ? Math.min(all, maxIterations) : all;
    }

    @Override public int[] lrDropEpochs() { return lrDropEpochs.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof TrainerConfig t && t.toJson().equals(toJson());
    }

    @Override public int hashCode() { return toJson().hashCode(); }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException naming {@code source} and the problem */
    public static TrainerConfig fromJson(String json, String source) {
        try {
            return JSON.readValue(json, TrainerConfig.class);
        } catch (JsonProcessingException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String msg = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
            throw new IllegalArgumentException("invalid trainer config " + source + ": " + msg, e);
        }
    }

    /** Defaults of the reference schedules of {@code variant} (lr, clipping), for a short run. */
    public static Builder builder(Variant variant) {
        Builder b = new Builder();
        switch (variant) {
            case DEFORMABLE_DETR -> { b.lr = 2e-4; b.clipMaxNorm = 0.1; }
            case CONDITIONAL_DETR -> { b.lr = 1e-4; b.clipMaxNorm = 0.1; }
            case ADAMIXER -> { b.lr = 2.5e-5; b.clipMaxNorm = 1.0; }
        }
        return b;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.epochs = epochs; b.maxIterations = maxIterations; b.lr = lr; b.weightDecay = weightDecay; b.clipMaxNorm = clipMaxNorm;
        b.lrDropEpochs = lrDropEpochs.clone(); b.lrGamma = lrGamma; b.warmupIterations = warmupIterations;
        b.warmupFactor = warmupFactor; b.evalEveryEpochs = evalEveryEpochs; b.seed = seed; b.topK = topK;
        return b;
    }

    @Override public String toString() { return "TrainerConfig" + toJson().replaceAll("\\s+", " ") + " drops " + Arrays.toString(lrDropEpochs); }

    public static final class Builder {
        private int epochs = 1;
        private long maxIterations;
        private double lr = 1e-4;
        private double weightDecay = 1e-4;
        private double clipMaxNorm = 0.1;
        private int[] lrDropEpochs = new int[0];
        private double lrGamma = 0.1;
        private long warmupIterations;
        private double warmupFactor = 0.001;
        private int evalEveryEpochs = 1;
        private long seed = 42;
        private int topK = 100;

        public Builder epochs(int v) { epochs = v; return this; }
        public Builder maxIterations(long v) { maxIterations = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder clipMaxNorm(double v) { clipMaxNorm = v; return this; }
        public Builder lrDropEpochs(int... v) { lrDropEpochs = v.clone(); return this; }
        public Builder lrGamma(double v) { lrGamma = v; return this; }
        public Builder warmup(long iterations, double factor) { warmupIterations = iterations; warmupFactor = factor; return this; }
        public Builder evalEveryEpochs(int v) { evalEveryEpochs = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder topK(int v) { topK = v; return this; }

        public TrainerConfig build() {
            return new TrainerConfig(epochs, maxIterations, lr, weightDecay, clipMaxNorm, lrDropEpochs, lrGamma,
                    warmupIterations, warmupFactor, evalEveryEpochs, seed, topK);
        }
    }
}
