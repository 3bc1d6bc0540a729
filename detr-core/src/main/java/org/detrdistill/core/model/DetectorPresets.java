package org.detrdistill.core.model;

import org.detrdistill.core.backbone.BackboneConfig;

import java.util.List;
import java.util.Objects;

/**
 * Named detector configurations.
 *
 * <table>
 *   <caption>presets</caption>
 *   <tr><th>name</th><th>backbone</th><th>d</th><th>heads</th><th>stages</th><th>FFN</th><th>groups / in / out points</th>
 *       <th>queries</th><th>classes</th><th>canvas</th></tr>
 *   <tr><td>{@code adamixer_r50}</td><td>ResNet-50</td><td>256</td><td>8</td><td>6</td><td>2048</td><td>4 / 32 / 128</td>
 *       <td>100</td><td>91</td><td>800×1333</td></tr>
 *   <tr><td>{@code adamixer_tiny}</td><td>{@code tiny} (BasicBlock [1,1,1,1], widths 16..128, stem 16)</td><td>64</td>
 *       <td>4</td><td>2</td><td>128</td><td>4 / 8 / 16</td><td>50</td><td>91</td><td>128×128</td></tr>
 * </table>
 * {@code adamixer_r50} has the reference sizes (MCG-NJU/AdaMixer adamixer_r50_1x_coco.py; 4 levels, channel mixing
 * 64 per group); the tiny preset (channel mixing 16 per group = d / groups, as the reference's rule) is for tests,
 * examples and fast experiments. Both name the backbone's parameters {@code backbone.*} as mmdetection does.
 */
public final class DetectorPresets {
    private static final List<String> NAMES = List.of("adamixer_r50", "adamixer_tiny");

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
