package org.detrdistill.core.model;

import org.detrdistill.core.backbone.BackboneConfig;

import java.util.List;
import java.util.Objects;

/**
 * Named detector configurations.
 *
 * <table>
 *   <caption>presets</caption>
 *   <tr><th>name</th><th>backbone</th><th>d</th><th>heads</th><th>enc+dec</th><th>FFN</th><th>queries</th><th>classes</th><th>canvas</th></tr>
 *   <tr><td>{@code conditional_detr_r50}</td><td>ResNet-50</td><td>256</td><td>8</td><td>6+6</td><td>2048</td><td>300</td>
 *       <td>91</td><td>800×1333</td></tr>
 *   <tr><td>{@code conditional_detr_tiny}</td><td>{@code tiny} (BasicBlock [1,1,1,1], widths 16..128, stem 16)</td>
 *       <td>64</td><td>4</td><td>2+2</td><td>128</td><td>50</td><td>91</td><td>128×128</td></tr>
 *   <tr><td>{@code deformable_detr_r50}</td><td>ResNet-50</td><td>256</td><td>8</td><td>6+6</td><td>1024</td><td>300</td>
 *       <td>91</td><td>800×1333</td></tr>
 *   <tr><td>{@code deformable_detr_tiny}</td><td>{@code tiny}</td><td>64</td><td>8</td><td>2+2</td><td>128</td><td>50</td>
 *       <td>91</td><td>128×128</td></tr>
 *   <tr><td>{@code adamixer_r50}</td><td>ResNet-50</td><td>256</td><td>8</td><td>0+6</td><td>2048</td><td>100</td>
 *       <td>91</td><td>800×1333</td></tr>
 *   <tr><td>{@code adamixer_tiny}</td><td>{@code tiny}</td><td>64</td><td>4</td><td>0+2</td><td>128</td><td>50</td>
 *       <td>91</td><td>128×128</td></tr>
 * </table>
 * The {@code _r50} presets have the reference sizes (Atten4Vis/ConditionalDETR defaults; fundamentalvision/Deformable-DETR
 * defaults: 4 levels, 4 points, single stage, no box refinement). The tiny presets are for tests, examples and fast
 * experiments. Conditional DETR tiny: its sine embedding of reference points uses d/2 = 32 frequencies per coordinate
 * (the reference hard-codes 128, which only fits d = 256). Deformable DETR tiny: the architecture of the ONNX teacher
 * fixture (4 levels, 4 points) with 50 queries.
 *
 * <p>AdaMixer ({@code adamixer_r50}: MCG-NJU/AdaMixer adamixer_r50_1x_coco.py, 4 levels, 4 groups, 32 in / 128 out
 * points, channel mixing 64 per group; {@code adamixer_tiny}: 4 groups of 8 in / 16 out points, channel mixing 16 per
 * group = d / groups, the reference's rule): both name the backbone's parameters {@code backbone.*} as mmdetection does.
 */
public final class DetectorPresets {
    private static final List<String> NAMES = List.of("conditional_detr_r50", "conditional_detr_tiny", "deformable_detr_r50",
            "deformable_detr_tiny", "adamixer_r50", "adamixer_tiny");

    private DetectorPresets() {}

    /** The valid preset names, in order. */
    public static List<String> names() { return NAMES; }

    /**
     * The preset called {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid names
     */
    public static DetectorConfig get(String name) {
        Objects.requireNonNull(name, "name");
        return switch (name) {
            case "conditional_detr_r50" -> DetectorConfig.builder(Variant.CONDITIONAL_DETR)
                    .backbone(BackboneConfig.preset("resnet50")).numClasses(91).numQueries(300).hiddenDim(256).heads(8)
                    .encoderLayers(6).decoderLayers(6).ffnDim(2048).inputSize(800, 1333).build();
            case "conditional_detr_tiny" -> DetectorConfig.builder(Variant.CONDITIONAL_DETR)
                    .backbone(BackboneConfig.preset("tiny")).numClasses(91).numQueries(50).hiddenDim(64).heads(4)
                    .encoderLayers(2).decoderLayers(2).ffnDim(128).inputSize(128, 128).build();
            case "deformable_detr_r50" -> DetectorConfig.builder(Variant.DEFORMABLE_DETR)
                    .backbone(BackboneConfig.preset("resnet50")).numClasses(91).numQueries(300).hiddenDim(256).heads(8)
                    .encoderLayers(6).decoderLayers(6).ffnDim(1024).inputSize(800, 1333)
                    .deformable(DeformableOptions.defaults()).build();
            case "deformable_detr_tiny" -> DetectorConfig.builder(Variant.DEFORMABLE_DETR)
                    .backbone(BackboneConfig.preset("tiny")).numClasses(91).numQueries(50).hiddenDim(64).heads(8)
                    .encoderLayers(2).decoderLayers(2).ffnDim(128).inputSize(128, 128)
                    .deformable(DeformableOptions.defaults()).build();
            case "adamixer_r50" -> DetectorConfig.builder(Variant.ADAMIXER)
                    .backbone(BackboneConfig.preset("resnet50").toBuilder().prefix("backbone.").build())
                    .numClasses(91).numQueries(100).hiddenDim(256).heads(8).encoderLayers(0).decoderLayers(6).ffnDim(2048)
                    .inputSize(800, 1333).adamixer(AdaMixerOptions.defaults()).build();
            case "adamixer_tiny" -> DetectorConfig.builder(Variant.ADAMIXER)
                    .backbone(BackboneConfig.preset("tiny").toBuilder().prefix("backbone.").build())
                    .numClasses(91).numQueries(50).hiddenDim(64).heads(4).encoderLayers(0).decoderLayers(2).ffnDim(128)
                    .inputSize(128, 128).adamixer(new AdaMixerOptions(4, 4, 8, 16, 16)).build();
            default -> throw new IllegalArgumentException("unknown detector preset '" + name + "'; valid presets: "
                    + String.join(", ", NAMES));
        };
    }
}
