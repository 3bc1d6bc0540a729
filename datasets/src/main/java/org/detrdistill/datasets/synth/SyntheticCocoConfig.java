package org.detrdistill.datasets.synth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Everything that determines a synthetic COCO dataset. Two equal configs produce byte-identical datasets.
 * Build with {@link #builder()}; every field has a default (the "default config" of the framework demo:
 * 300 train + 60 val images of 128x128 with 1-4 of six colour-coded shapes each). Invalid values fail in the
 * constructor with an {@link IllegalArgumentException} naming the field.
 *
 * @param numTrainImages       images in {@code train/}, {@code >= 0} (default 300)
 * @param numValImages         images in {@code val/}, {@code >= 0} (default 60); train + val {@code >= 1}
 * @param imageWidth           image width in pixels, 16..4096 (default 128)
 * @param imageHeight          image height in pixels, 16..4096 (default 128)
 * @param classes              class names, {@code "<shape>"} or {@code "<colour>_<shape>"} (see {@link SyntheticClass});
 *                             stored canonical (lower case). Category {@code i} (0-based) gets COCO id
 *                             {@code 1 + i * categoryIdStride}. A bare shape and a coloured variant of the same shape
 *                             together are ambiguous and rejected.
 * @param minObjects           fewest objects placed per image, {@code >= 0} (default 1)
 * @param maxObjects           most objects placed per image, {@code minObjects..100} (default 4). Fewer may end up
 *                             annotated when no free position is found or an object is fully hidden.
 * @param minScale             smallest object size as a fraction of {@code min(width, height)}; size = sqrt(box w * box h)
 *                             (default 0.1). Must give at least 4 pixels.
 * @param maxScale             largest object size, {@code minScale..1} (default 0.45). Sizes are log-uniform in between,
 *                             so small objects are as frequent as in a scale-invariant world.
 * @param maxAspectRatio       box w/h is log-uniform in {@code [1/r, r]}, {@code r} in 1..4 (default 1.5)
 * @param occlusionProbability probability that an object may be placed over earlier ones (default 0.25); otherwise it
 *                             must not overlap any earlier object's pixels
 * @param maxOcclusion         largest fraction of an object's pixels that later objects may hide, 0..1 (default 0.4).
 *                             Occluded objects keep their full (amodal) box; objects left with no visible pixel
 *                             (possible only at 1.0) are not annotated.
 * @param backgrounds          background kinds, one picked uniformly per image; repeat a kind to weight it
 *                             (default {@code [plain, textured]})
 * @param categoryIdStride     COCO category id step: 1 gives ids 1,2,3,..; 2 gives 1,3,5,.. to exercise label maps
 *                             (default 1)
 * @param jpegQuality          JPEG quality 1..100 (default 92)
 * @param seed                 random seed (default 42)
 */
@JsonDeserialize(builder = SyntheticCocoConfig.Builder.class)
public record SyntheticCocoConfig(int numTrainImages, int numValImages, int imageWidth, int imageHeight,
                                  List<String> classes, int minObjects, int maxObjects, double minScale,
                                  double maxScale, double maxAspectRatio, double occlusionProbability,
                                  double maxOcclusion, List<BackgroundKind> backgrounds, int categoryIdStride,
                                  int jpegQuality, long seed) {

    /** The default class set: six shapes, each in its own colour. */
    public static final List<String> DEFAULT_CLASSES = List.of(
            "red_circle", "green_square", "blue_triangle", "yellow_star", "magenta_ring", "cyan_cross");
    /** Smallest drawable object size in pixels. */
    public static final int MIN_OBJECT_PIXELS = 4;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> FIELDS = Stream.of(SyntheticCocoConfig.class.getRecordComponents())
            .map(java.lang.reflect.RecordComponent::getName).toList();

    public SyntheticCocoConfig {
        check(numTrainImages >= 0, "numTrainImages", numTrainImages, ">= 0");
        check(numValImages >= 0, "numValImages", numValImages, ">= 0");
        check((long) numTrainImages + numValImages >= 1 && (long) numTrainImages + numValImages <= 10_000_000,
                "numTrainImages + numValImages", (long) numTrainImages + numValImages, "in 1..10000000");
        check(imageWidth >= 16 && imageWidth <= 4096, "imageWidth", imageWidth, "in 16..4096");
        check(imageHeight >= 16 && imageHeight <= 4096, "imageHeight", imageHeight, "in 16..4096");
        classes = canonicalClasses(classes);
        check(minObjects >= 0, "minObjects", minObjects, ">= 0");
        check(maxObjects >= minObjects && maxObjects <= 100, "maxObjects", maxObjects,
                "in minObjects(" + minObjects + ")..100");
        check(minScale > 0 && minScale <= 1, "minScale", minScale, "in (0, 1]");
        check(maxScale >= minScale && maxScale <= 1, "maxScale", maxScale, "in minScale(" + minScale + ")..1");
        check(minScale * Math.min(imageWidth, imageHeight) >= MIN_OBJECT_PIXELS, "minScale", minScale,
                ">= " + MIN_OBJECT_PIXELS + " px / min(imageWidth, imageHeight) = "
                        + (double) MIN_OBJECT_PIXELS / Math.min(imageWidth, imageHeight));
        check(maxAspectRatio >= 1 && maxAspectRatio <= 4, "maxAspectRatio", maxAspectRatio, "in 1..4");
        check(occlusionProbability >= 0 && occlusionProbability <= 1, "occlusionProbability", occlusionProbability,
                "in 0..1");
        check(maxOcclusion >= 0 && maxOcclusion <= 1, "maxOcclusion", maxOcclusion, "in 0..1");
        if (backgrounds == null || backgrounds.isEmpty() || backgrounds.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("SyntheticCocoConfig.backgrounds must list at least one kind (plain, "
                    + "textured, photo) and no null, got " + backgrounds);
        }
        backgrounds = List.copyOf(backgrounds);
        check(categoryIdStride >= 1 && 1 + (long) (classes.size() - 1) * categoryIdStride <= Integer.MAX_VALUE,
                "categoryIdStride", categoryIdStride, ">= 1 with the largest id within int range");
        check(jpegQuality >= 1 && jpegQuality <= 100, "jpegQuality", jpegQuality, "in 1..100");
    }

    private static void check(boolean ok, String field, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("SyntheticCocoConfig." + field + " must be " + rule + ", got " + value);
        }
    }

    private static List<String> canonicalClasses(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("SyntheticCocoConfig.classes must name at least one class ('<shape>' or "
                    + "'<colour>_<shape>'); shapes: " + ShapeKind.validNames());
        }
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Map<ShapeKind, Boolean> bareShape = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            SyntheticClass c;
            try {
                c = SyntheticClass.parse(names.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("SyntheticCocoConfig.classes[" + i + "]: " + e.getMessage(), e);
            }
            if (!seen.add(c.name())) {
                throw new IllegalArgumentException("SyntheticCocoConfig.classes[" + i + "]: duplicate class '"
                        + c.name() + "'");
            }
            Boolean prev = bareShape.put(c.shape(), c.color() == null);
            if (prev != null && (prev || c.color() == null)) {
                throw new IllegalArgumentException("SyntheticCocoConfig.classes[" + i + "]: '" + c.name()
                        + "' is ambiguous: the bare shape '" + c.shape().label() + "' (any colour) and a coloured '"
                        + c.shape().label() + "' cannot both be classes");
            }
            out.add(c.name());
        }
        return List.copyOf(out);
    }

    /** The parsed classes, in category order. */
    public List<SyntheticClass> parsedClasses() {
        return classes.stream().map(SyntheticClass::parse).toList();
    }

    /** COCO category id of the 0-based class index: {@code 1 + index * categoryIdStride}. */
    public int categoryId(int classIndex) {
        if (classIndex < 0 || classIndex >= classes.size()) {
            throw new IndexOutOfBoundsException("class index " + classIndex + " not in [0, " + classes.size() + ")");
        }
        return 1 + classIndex * categoryIdStride;
    }

    /** Pretty-printed JSON of every field; {@link #fromJson(String)} gives an equal config back. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + this, e);
        }
    }

    /**
     * Parses a config; missing fields take their defaults, unknown fields fail.
     *
     * @throws IllegalArgumentException with the JSON error or the failed validation
     */
    public static SyntheticCocoConfig fromJson(String json) {
        return parse(json, "synthetic COCO config JSON");
    }

    /** Reads a config written by {@link #write(Path)} (or by hand). Errors name the file. */
    public static SyntheticCocoConfig read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Writes {@link #toJson()} to {@code file} (UTF-8). */
    public void write(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    private static SyntheticCocoConfig parse(String json, String source) {
        try {
            return JSON.readValue(json, SyntheticCocoConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(source + ": unknown field '" + e.getPropertyName() + "'; valid fields: "
                    + String.join(", ", FIELDS), e);
        } catch (JsonProcessingException e) {
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                if (c instanceof IllegalArgumentException) {
                    throw new IllegalArgumentException(source + ": " + c.getMessage(), e);
                }
            }
            String where = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                    ? "field '" + m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                    : "[" + r.getIndex() + "]").collect(Collectors.joining(".")) + "': "
                    : "";
            throw new IllegalArgumentException(source + ": " + where + e.getOriginalMessage(), e);
        }
    }

    /** A builder with every field at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder().numTrainImages(numTrainImages).numValImages(numValImages).imageWidth(imageWidth)
                .imageHeight(imageHeight).classes(classes).minObjects(minObjects).maxObjects(maxObjects)
                .minScale(minScale).maxScale(maxScale).maxAspectRatio(maxAspectRatio)
                .occlusionProbability(occlusionProbability).maxOcclusion(maxOcclusion).backgrounds(backgrounds)
                .categoryIdStride(categoryIdStride).jpegQuality(jpegQuality).seed(seed);
    }

    /** One-line summary, e.g. {@code 300 train + 60 val, 128x128, 6 classes [...], 1-4 objects, ...}. */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "SyntheticCocoConfig[%d train + %d val, %dx%d, %d classes %s, %d-%d objects, scale %.3g-%.3g, "
                        + "aspect <= %.3g, occlusion p=%.3g max=%.3g, backgrounds %s, category id stride %d, "
                        + "jpeg %d, seed %d]",
                numTrainImages, numValImages, imageWidth, imageHeight, classes.size(), classes, minObjects,
                maxObjects, minScale, maxScale, maxAspectRatio, occlusionProbability, maxOcclusion,
                backgrounds.stream().map(BackgroundKind::label).toList(), categoryIdStride, jpegQuality, seed);
    }

    /** Builder of {@link SyntheticCocoConfig}; also the JSON deserialiser (method names are the JSON fields). */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private int numTrainImages = 300;
        private int numValImages = 60;
        private int imageWidth = 128;
        private int imageHeight = 128;
        private List<String> classes = DEFAULT_CLASSES;
        private int minObjects = 1;
        private int maxObjects = 4;
        private double minScale = 0.1;
        private double maxScale = 0.45;
        private double maxAspectRatio = 1.5;
        private double occlusionProbability = 0.25;
        private double maxOcclusion = 0.4;
        private List<BackgroundKind> backgrounds = List.of(BackgroundKind.PLAIN, BackgroundKind.TEXTURED);
        private int categoryIdStride = 1;
        private int jpegQuality = 92;
        private long seed = 42;

        private Builder() {
        }

        /** See {@link SyntheticCocoConfig#numTrainImages()}. */
        public Builder numTrainImages(int v) { numTrainImages = v; return this; }

        /** See {@link SyntheticCocoConfig#numValImages()}. */
        public Builder numValImages(int v) { numValImages = v; return this; }

        /** See {@link SyntheticCocoConfig#imageWidth()}. */
        public Builder imageWidth(int v) { imageWidth = v; return this; }

        /** See {@link SyntheticCocoConfig#imageHeight()}. */
        public Builder imageHeight(int v) { imageHeight = v; return this; }

        /** See {@link SyntheticCocoConfig#classes()}; {@link SyntheticClass#crossed} builds colour x shape sets. */
        public Builder classes(List<String> v) { classes = v == null ? null : new ArrayList<>(v); return this; }

        /** See {@link SyntheticCocoConfig#minObjects()}. */
        public Builder minObjects(int v) { minObjects = v; return this; }

        /** See {@link SyntheticCocoConfig#maxObjects()}. */
        public Builder maxObjects(int v) { maxObjects = v; return this; }

        /** See {@link SyntheticCocoConfig#minScale()}. */
        public Builder minScale(double v) { minScale = v; return this; }

        /** See {@link SyntheticCocoConfig#maxScale()}. */
        public Builder maxScale(double v) { maxScale = v; return this; }

        /** See {@link SyntheticCocoConfig#maxAspectRatio()}. */
        public Builder maxAspectRatio(double v) { maxAspectRatio = v; return this; }

        /** See {@link SyntheticCocoConfig#occlusionProbability()}. */
        public Builder occlusionProbability(double v) { occlusionProbability = v; return this; }

        /** See {@link SyntheticCocoConfig#maxOcclusion()}. */
        public Builder maxOcclusion(double v) { maxOcclusion = v; return this; }

        /** See {@link SyntheticCocoConfig#backgrounds()}. */
        public Builder backgrounds(List<BackgroundKind> v) { backgrounds = v == null ? null : new ArrayList<>(v); return this; }

        /** See {@link SyntheticCocoConfig#categoryIdStride()}. */
        public Builder categoryIdStride(int v) { categoryIdStride = v; return this; }

        /** See {@link SyntheticCocoConfig#jpegQuality()}. */
        public Builder jpegQuality(int v) { jpegQuality = v; return this; }

        /** See {@link SyntheticCocoConfig#seed()}. */
        public Builder seed(long v) { seed = v; return this; }

        /** Validates and builds. @throws IllegalArgumentException naming the first invalid field */
        public SyntheticCocoConfig build() {
            return new SyntheticCocoConfig(numTrainImages, numValImages, imageWidth, imageHeight, classes, minObjects,
                    maxObjects, minScale, maxScale, maxAspectRatio, occlusionProbability, maxOcclusion, backgrounds,
                    categoryIdStride, jpegQuality, seed);
        }
    }
}
