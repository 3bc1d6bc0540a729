package org.detrdistill.datasets.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;

/**
 * Batching and threading settings of {@link CocoDetectionIterator}. Build with {@link #builder()}; JSON round-trip
 * with {@link #toJson()} / {@link #fromJson(String)} (unknown names fail and list the valid ones).
 *
 * @param batchSize        images per batch, at least 1. Default 2
 * @param shuffle          shuffle the image order each epoch. Default {@code true}
 * @param seed             seed of the order and of all augmentations. Default 42
 * @param workers          background threads that decode and transform; 0 = load in the calling thread. Results do
 *                         not depend on it. Default 1
 * @param prefetchBatches  batches prepared ahead of the consumer (bounded memory), at least 1; ignored with 0 workers.
 *                         Default 2
 * @param dropLast         drop a last batch smaller than {@code batchSize}. Default {@code false}
 * @param sizeDivisibility pad batches to a multiple of this height and width (1 = none, DETR's default). Default 1
 * @param canvasHeight     if &gt; 0, pad every batch to exactly {@code canvasHeight × canvasWidth} (the fixed input
 *                         canvas of a detector graph) instead of the batch maximum; an image larger than the canvas is
 *                         an error. Default 0 (batch maximum)
 * @param canvasWidth      see {@code canvasHeight}; both are 0 or both &gt; 0
 */
public record LoaderConfig(int batchSize, boolean shuffle, long seed, int workers, int prefetchBatches, boolean dropLast,
                           int sizeDivisibility, int canvasHeight, int canvasWidth) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    public LoaderConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0, got " + workers);
        }
        if (prefetchBatches < 1) {
            throw new IllegalArgumentException("prefetchBatches must be >= 1, got " + prefetchBatches);
        }
        if (sizeDivisibility < 1) {
            throw new IllegalArgumentException("sizeDivisibility must be >= 1, got " + sizeDivisibility);
        }
        if (canvasHeight < 0 || canvasWidth < 0 || (canvasHeight == 0) != (canvasWidth == 0)) {
            throw new IllegalArgumentException("canvasHeight and canvasWidth must both be 0 or both > 0, got "
                    + canvasHeight + "x" + canvasWidth);
        }
    }

    /** The defaults listed on the record components. */
    public static LoaderConfig defaults() { return builder().build(); }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() { return new Builder(); }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder().batchSize(batchSize).shuffle(shuffle).seed(seed).workers(workers)
                .prefetchBatches(prefetchBatches).dropLast(dropLast).sizeDivisibility(sizeDivisibility)
                .canvas(canvasHeight, canvasWidth);
    }

    /** This config as a JSON object with the component names as keys. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses {@link #toJson()} output. Every field is required.
     *
     * @throws IllegalArgumentException on malformed JSON, unknown or missing names, or invalid values
     */
    public static LoaderConfig fromJson(String json) {
        try {
            return JSON.readValue(json, LoaderConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("invalid LoaderConfig JSON: unknown name '" + e.getPropertyName()
                    + "'; valid names: " + names(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid LoaderConfig JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static List<String> names() {
        return Arrays.stream(LoaderConfig.class.getRecordComponents()).map(RecordComponent::getName).toList();
    }

    /** Builder of {@link LoaderConfig}. */
    public static final class Builder {
        private int batchSize = 2;
        private boolean shuffle = true;
        private long seed = 42;
        private int workers = 1;
        private int prefetchBatches = 2;
        private boolean dropLast;
        private int sizeDivisibility = 1;
        private int canvasHeight;
        private int canvasWidth;

        private Builder() { }

        /** See {@link LoaderConfig#batchSize()}. */
        public Builder batchSize(int v) { batchSize = v; return this; }

        /** See {@link LoaderConfig#shuffle()}. */
        public Builder shuffle(boolean v) { shuffle = v; return this; }

        /** See {@link LoaderConfig#seed()}. */
        public Builder seed(long v) { seed = v; return this; }

        /** See {@link LoaderConfig#workers()}. */
        public Builder workers(int v) { workers = v; return this; }

        /** See {@link LoaderConfig#prefetchBatches()}. */
        public Builder prefetchBatches(int v) { prefetchBatches = v; return this; }

        /** See {@link LoaderConfig#dropLast()}. */
        public Builder dropLast(boolean v) { dropLast = v; return this; }

        /** See {@link LoaderConfig#sizeDivisibility()}. */
        public Builder sizeDivisibility(int v) { sizeDivisibility = v; return this; }

        /** See {@link LoaderConfig#canvasHeight()}: pad every batch to {@code height × width}. */
        public Builder canvas(int height, int width) { canvasHeight = height; canvasWidth = width; return this; }

        /** The config. */
        public LoaderConfig build() {
            return new LoaderConfig(batchSize, shuffle, seed, workers, prefetchBatches, dropLast, sizeDivisibility,
                    canvasHeight, canvasWidth);
        }
    }
}
