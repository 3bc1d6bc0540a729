package org.detrdistill.core.backbone;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.List;
import java.util.Objects;

/**
 * Architecture of a torchvision-style ResNet backbone with frozen BatchNorm, as DETR-family detectors use it.
 *
 * <p>Stem: conv 7×7/2 (pad 3, {@code stemWidth} channels) → frozen BN → ReLU → max-pool 3×3/2 (pad 1). Then four
 * stages {@code layer1..layer4} of {@code depths[i]} blocks of width {@code widths[i]}; {@code layer1} has stride 1,
 * the others stride 2 (with {@code dilateC5}, {@code layer4} keeps stride 1 and dilates its 3×3 convs instead:
 * the "DC5" variant). Outputs C2..C5 have {@code widths[i] · block.expansion()} channels and strides 4, 8, 16, 32
 * (16 for a dilated C5). All convs are bias-free.
 *
 * @param block        residual block type
 * @param depths       blocks per stage, 4 entries ≥ 1 (ResNet-50: {@code [3,4,6,3]})
 * @param widths       stage widths (torchvision's {@code planes}), 4 entries ≥ 1 (standard: {@code [64,128,256,512]})
 * @param stemWidth    output channels of the stem conv (standard: 64)
 * @param frozenStages as mmdetection's {@code frozen_stages}: −1 trains everything, 0 freezes the stem, k ≥ 1 the stem
 *                     and {@code layer1..layer k}; 1 is DETR's choice (stem and layer1 frozen); 4 freezes all
 * @param dilateC5     replace the stride of {@code layer4} by dilation 2 (needs {@link BlockType#BOTTLENECK}, as torchvision)
 * @param prefix       prefix of every parameter name, e.g. {@code "backbone.0.body."} (DETR's state_dict keys); may be empty
 * @param bnEps        frozen-BN epsilon (1e-5, as torchvision and DETR)
 */
public record BackboneConfig(BlockType block, List<Integer> depths, List<Integer> widths, int stemWidth,
                             int frozenStages, boolean dilateC5, String prefix, double bnEps) {

    /** DETR's parameter-name prefix: {@code backbone.0.body.}. */
    public static final String DETR_PREFIX = "backbone.0.body.";

    private static final List<String> PRESET_NAMES = List.of("resnet18", "resnet34", "resnet50", "resnet101", "tiny");

    public BackboneConfig {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(depths, "depths");
        Objects.requireNonNull(widths, "widths");
        Objects.requireNonNull(prefix, "prefix");
        depths = List.copyOf(depths);
        widths = List.copyOf(widths);
        checkStages("depths", depths);
        checkStages("widths", widths);
        if (stemWidth < 1) throw new IllegalArgumentException("stemWidth must be >= 1, got " + stemWidth);
        if (frozenStages < -1 || frozenStages > 4) {
            throw new IllegalArgumentException("frozenStages must be in [-1, 4] (-1 = train all), got " + frozenStages);
        }
        if (dilateC5 && block != BlockType.BOTTLENECK) {
            throw new IllegalArgumentException("dilateC5 needs block BOTTLENECK (torchvision's BasicBlock has no dilation)");
        }
        if (!(bnEps > 0)) throw new IllegalArgumentException("bnEps must be > 0, got " + bnEps);
    }

    private static void checkStages(String field, List<Integer> v) {
        if (v.size() != 4) throw new IllegalArgumentException(field + " must have 4 entries (layer1..layer4), got " + v);
        for (Integer x : v) {
            if (x == null || x < 1) throw new IllegalArgumentException(field + " entries must be >= 1, got " + v);
        }
    }

    /** Output channels of C2..C5: {@code widths[i] · block.expansion()}. */
    public int[] outChannels() {
        int[] c = new int[4];
        for (int i = 0; i < 4; i++) c[i] = widths.get(i) * block.expansion();
        return c;
    }

    /** Strides of C2..C5 relative to the input: {@code [4, 8, 16, 32]}, or {@code [4, 8, 16, 16]} with {@code dilateC5}. */
    public int[] strides() { return new int[] {4, 8, 16, dilateC5 ? 16 : 32}; }

    /** Names accepted by {@link #preset(String)}, in order. */
    public static List<String> presetNames() { return PRESET_NAMES; }

    /**
     * A named preset: {@code resnet18}, {@code resnet34}, {@code resnet50}, {@code resnet101} (torchvision layouts,
     * stem 64, widths 64..512) or {@code tiny} (BasicBlock [1,1,1,1], widths 16/32/64/128, stem 16: the backbone of the
     * ONNX teacher fixtures). All with DETR's prefix, frozen stem + layer1, eps 1e-5.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid names
     */
    public static BackboneConfig preset(String name) {
        return switch (Objects.requireNonNull(name, "name")) {
            case "resnet18" -> builder().block(BlockType.BASIC).depths(2, 2, 2, 2).build();
            case "resnet34" -> builder().block(BlockType.BASIC).depths(3, 4, 6, 3).build();
            case "resnet50" -> builder().block(BlockType.BOTTLENECK).depths(3, 4, 6, 3).build();
            case "resnet101" -> builder().block(BlockType.BOTTLENECK).depths(3, 4, 23, 3).build();
            case "tiny" -> builder().block(BlockType.BASIC).depths(1, 1, 1, 1).widths(16, 32, 64, 128).stemWidth(16).build();
            default -> throw new IllegalArgumentException("unknown backbone preset '" + name + "'; valid: " + PRESET_NAMES);
        };
    }

    /** A builder with the ResNet-50 defaults of DETR (Bottleneck [3,4,6,3], widths 64..512, stem 64, frozen stages 1). */
    public static Builder builder() { return new Builder(); }

    /** A builder initialised with this configuration. */
    public Builder toBuilder() {
        return new Builder().block(block).depths(depths).widths(widths).stemWidth(stemWidth)
                .frozenStages(frozenStages).dilateC5(dilateC5).prefix(prefix).bnEps(bnEps);
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** This configuration as JSON (every field; enum by name). */
    public String toJson() {
        try {
            return mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + this, e);
        }
    }

    /**
     * Parses {@link #toJson()} output. Every field must be present.
     *
     * @throws IllegalArgumentException naming the offending field for missing, unknown or invalid fields
     */
    public static BackboneConfig fromJson(String json) {
        try {
            return mapper().readValue(json, BackboneConfig.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("invalid BackboneConfig JSON: " + cause.getMessage(), e);
        }
    }

    /** Mutable builder of {@link BackboneConfig}. */
    public static final class Builder {
        private BlockType block = BlockType.BOTTLENECK;
        private List<Integer> depths = List.of(3, 4, 6, 3);
        private List<Integer> widths = List.of(64, 128, 256, 512);
        private int stemWidth = 64;
        private int frozenStages = 1;
        private boolean dilateC5 = false;
        private String prefix = DETR_PREFIX;
        private double bnEps = 1e-5;

        private Builder() {}

        public Builder block(BlockType v) { block = v; return this; }
        public Builder depths(List<Integer> v) { depths = v; return this; }
        public Builder depths(int c2, int c3, int c4, int c5) { depths = List.of(c2, c3, c4, c5); return this; }
        public Builder widths(List<Integer> v) { widths = v; return this; }
        public Builder widths(int c2, int c3, int c4, int c5) { widths = List.of(c2, c3, c4, c5); return this; }
        public Builder stemWidth(int v) { stemWidth = v; return this; }
        public Builder frozenStages(int v) { frozenStages = v; return this; }
        /** Train every parameter (same as {@code frozenStages(-1)}). */
        public Builder trainAll() { frozenStages = -1; return this; }
        public Builder dilateC5(boolean v) { dilateC5 = v; return this; }
        public Builder prefix(String v) { prefix = v; return this; }
        public Builder bnEps(double v) { bnEps = v; return this; }

        public BackboneConfig build() {
            return new BackboneConfig(block, depths, widths, stemWidth, frozenStages, dilateC5, prefix, bnEps);
        }
    }
}
