package org.detrdistill.examples.bench;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.model.Variant;

import java.util.Objects;

/**
 * The fixed tiny configuration every detector is benchmarked at, the same for all variants where it applies:
 * <table>
 *   <caption>benchmark configuration</caption>
 *   <tr><th>field</th><th>value</th></tr>
 *   <tr><td>backbone</td><td>{@code tiny}: torchvision-style ResNet, BasicBlock [1,1,1,1], widths 16/32/64/128, stem 16,
 *       frozen BN, stem + layer1 frozen</td></tr>
 *   <tr><td>d / heads / FFN</td><td>{@value #HIDDEN} / {@value #HEADS} / {@value #FFN}</td></tr>
 *   <tr><td>layers</td><td>{@value #ENCODER_LAYERS} encoder + {@value #DECODER_LAYERS} decoder (a variant without an
 *       encoder, AdaMixer, keeps 0 encoder layers)</td></tr>
 *   <tr><td>queries / classes</td><td>{@value #QUERIES} / {@value #CLASSES}</td></tr>
 *   <tr><td>canvas</td><td>{@value #CANVAS}×{@value #CANVAS} by default (a command-line option)</td></tr>
 * </table>
 * Variant-specific options (Deformable DETR's levels and points, AdaMixer's groups and sampling points, the backbone's
 * parameter prefix) come from the variant's {@code <variant>_tiny} preset when {@link DetectorPresets} has one, and
 * from the variant's builder defaults otherwise.
 */
public final class TinyDetectorConfig {
    /** Model width d. */
    public static final int HIDDEN = 64;
    /** Attention heads. */
    public static final int HEADS = 4;
    /** Encoder layers (for variants that have an encoder). */
    public static final int ENCODER_LAYERS = 2;
    /** Decoder layers (stages). */
    public static final int DECODER_LAYERS = 2;
    /** Feed-forward width. */
    public static final int FFN = 128;
    /** Object queries. */
    public static final int QUERIES = 50;
    /** Sigmoid classes. */
    public static final int CLASSES = 6;
    /** Default canvas side (pixels). */
    public static final int CANVAS = 128;

    private TinyDetectorConfig() {}

    /**
     * The benchmark configuration of {@code variant} at a {@code height × width} canvas.
     *
     * @throws IllegalArgumentException if the variant rejects the configuration (the message says why)
     */
    public static DetectorConfig of(Variant variant, int height, int width) {
        Objects.requireNonNull(variant, "variant");
        String preset = presetName(variant);
        DetectorConfig base = DetectorPresets.names().contains(preset) ? DetectorPresets.get(preset)
                : DetectorConfig.builder(variant).backbone(BackboneConfig.preset("tiny")).build();
        return base.toBuilder()
                .hiddenDim(HIDDEN).heads(HEADS)
                .encoderLayers(base.encoderLayers() == 0 ? 0 : ENCODER_LAYERS)
                .decoderLayers(DECODER_LAYERS).ffnDim(FFN).numQueries(QUERIES).numClasses(CLASSES)
                .inputSize(height, width).build();
    }

    /** {@code <variant id>_tiny}, the preset the variant-specific options are taken from. */
    public static String presetName(Variant variant) {
        return variant.id() + "_tiny";
    }

    /** One line describing the configuration, for the benchmark's header. */
    public static String describe(int batch, int height, int width) {
        return "tiny backbone (BasicBlock [1,1,1,1], widths 16..128, stem 16), d " + HIDDEN + ", " + HEADS + " heads, "
                + ENCODER_LAYERS + "+" + DECODER_LAYERS + " layers, FFN " + FFN + ", " + QUERIES + " queries, " + CLASSES
                + " classes, canvas " + height + "x" + width + ", batch " + batch;
    }
}
