package org.detrdistill.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.detrdistill.core.backbone.BackboneConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The architecture of a detector: everything needed to rebuild its graph. Saved as JSON next to every checkpoint.
 * Build one with {@link #builder(Variant)} (reference sizes by default) or take a preset from {@code DetectorPresets}.
 *
 * @param variant       which detector
 * @param backbone      the ResNet backbone
 * @param numClasses    C, sigmoid classes (no background column)
 * @param numQueries    Q, object queries
 * @param hiddenDim     d, model width
 * @param heads         attention heads
 * @param encoderLayers encoder layers (0 for AdaMixer, which has none)
 * @param decoderLayers decoder stages L
 * @param ffnDim        feed-forward width
 * @param inputHeight   height of the input canvas: every batch is padded to {@code inputHeight × inputWidth} and the
 *                      pixel mask marks what is image. Graphs are built for this size (level shapes are static: the
 *                      sampling-based attentions need them, and no graph is rebuilt per batch).
 * @param inputWidth    width of the input canvas
 * @param deformable    Deformable DETR options; required for that variant, null otherwise
 * @param adamixer      AdaMixer options; required for that variant, null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DetectorConfig(Variant variant, BackboneConfig backbone, int numClasses, int numQueries, int hiddenDim,
                             int heads, int encoderLayers, int decoderLayers, int ffnDim, int inputHeight, int inputWidth,
                             DeformableOptions deformable, AdaMixerOptions adamixer) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public DetectorConfig {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(backbone, "backbone");
        positive("numClasses", numClasses);
        positive("numQueries", numQueries);
        positive("hiddenDim", hiddenDim);
        positive("heads", heads);
        positive("decoderLayers", decoderLayers);
        positive("ffnDim", ffnDim);
        if (inputHeight < 32 || inputWidth < 32) {
            throw new IllegalArgumentException("inputHeight and inputWidth must be >= 32, got " + inputHeight + "x" + inputWidth);
        }
        if (encoderLayers < 0) throw new IllegalArgumentException("encoderLayers must be >= 0, got " + encoderLayers);
        if (hiddenDim % heads != 0) {
            throw new IllegalArgumentException("hiddenDim " + hiddenDim + " must be divisible by heads " + heads);
        }
        if (variant == Variant.DEFORMABLE_DETR && deformable == null) deformable = DeformableOptions.defaults();
        if (variant == Variant.ADAMIXER && adamixer == null) adamixer = AdaMixerOptions.defaults();
        if (variant != Variant.DEFORMABLE_DETR && deformable != null) {
            throw new IllegalArgumentException("'deformable' options given for variant " + variant);
        }
        if (variant != Variant.ADAMIXER && adamixer != null) {
            throw new IllegalArgumentException("'adamixer' options given for variant " + variant);
        }
        if (variant == Variant.ADAMIXER && encoderLayers != 0) {
            throw new IllegalArgumentException("adamixer has no encoder: encoderLayers must be 0, got " + encoderLayers);
        }
        if (variant == Variant.CONDITIONAL_DETR && hiddenDim % 4 != 0) {
            throw new IllegalArgumentException("conditional_detr needs a hiddenDim divisible by 4 for its sine embeddings "
                    + "(d/2 frequencies per coordinate, in sin/cos pairs), got " + hiddenDim);
        }
    }

    private static void positive(String field, int v) {
        if (v < 1) throw new IllegalArgumentException(field + " must be >= 1, got " + v);
    }

    /** The configuration as indented JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a configuration.
     *
     * @param source named in error messages (a file name)
     * @throws IllegalArgumentException naming {@code source} and the offending field or location
     */
    public static DetectorConfig fromJson(String json, String source) {
        try {
            return JSON.readValue(json, DetectorConfig.class);
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String msg = root instanceof IllegalArgumentException ? root.getMessage()
                    : e instanceof JsonProcessingException j ? j.getOriginalMessage() + locationOf(j) : e.getMessage();
            throw new IllegalArgumentException("invalid detector config " + source + ": " + msg, e);
        }
    }

    private static String locationOf(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    /** Reads a configuration file. */
    public static DetectorConfig read(Path file) {
        try {
            return fromJson(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read detector config " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes this configuration to {@code file} atomically (temp file, then rename). */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, toJson());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static Builder builder(Variant variant) { return new Builder(variant); }

    public Builder toBuilder() {
        Builder b = new Builder(variant);
        b.backbone = backbone; b.numClasses = numClasses; b.numQueries = numQueries; b.hiddenDim = hiddenDim;
        b.heads = heads; b.encoderLayers = encoderLayers; b.decoderLayers = decoderLayers; b.ffnDim = ffnDim;
        b.inputHeight = inputHeight; b.inputWidth = inputWidth;
        b.deformable = deformable; b.adamixer = adamixer;
        return b;
    }

    /** Builder; starts from the reference sizes of the variant with a ResNet-50 backbone and 91 classes. */
    public static final class Builder {
        private final Variant variant;
        private BackboneConfig backbone = BackboneConfig.preset("resnet50");
        private int numClasses = 91;
        private int numQueries;
        private int hiddenDim = 256;
        private int heads = 8;
        private int encoderLayers;
        private int decoderLayers = 6;
        private int ffnDim;
        private int inputHeight = 800;
        private int inputWidth = 1333;
        private DeformableOptions deformable;
        private AdaMixerOptions adamixer;

        private Builder(Variant variant) {
            this.variant = Objects.requireNonNull(variant, "variant");
            switch (variant) {
                case DEFORMABLE_DETR -> { numQueries = 300; encoderLayers = 6; ffnDim = 1024; deformable = DeformableOptions.defaults(); }
                case CONDITIONAL_DETR -> { numQueries = 300; encoderLayers = 6; ffnDim = 2048; }
                case ADAMIXER -> { numQueries = 100; encoderLayers = 0; ffnDim = 2048; adamixer = AdaMixerOptions.defaults(); }
            }
        }

        public Builder backbone(BackboneConfig v) { backbone = v; return this; }
        public Builder numClasses(int v) { numClasses = v; return this; }
        public Builder numQueries(int v) { numQueries = v; return this; }
        public Builder hiddenDim(int v) { hiddenDim = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder encoderLayers(int v) { encoderLayers = v; return this; }
        public Builder decoderLayers(int v) { decoderLayers = v; return this; }
        public Builder ffnDim(int v) { ffnDim = v; return this; }
        /** The input canvas (default 800 × 1333, DETR's largest resized COCO image). */
        public Builder inputSize(int height, int width) { inputHeight = height; inputWidth = width; return this; }
        public Builder deformable(DeformableOptions v) { deformable = v; return this; }
        public Builder adamixer(AdaMixerOptions v) { adamixer = v; return this; }

        public DetectorConfig build() {
            return new DetectorConfig(variant, backbone, numClasses, numQueries, hiddenDim, heads, encoderLayers,
                    decoderLayers, ffnDim, inputHeight, inputWidth, deformable, adamixer);
        }
    }
}
