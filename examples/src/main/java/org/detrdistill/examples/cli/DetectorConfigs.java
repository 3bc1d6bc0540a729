package org.detrdistill.examples.cli;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorPresets;

import java.util.ArrayList;
import java.util.List;

/**
 * How commands turn options into a {@link DetectorConfig}: a start ({@code --preset NAME}, {@code --variant NAME},
 * {@code --config/--file FILE}) plus {@code --set KEY=VALUE} overrides ({@link JsonOverrides}), validated as when a
 * model is built. {@code --set backbone=NAME} takes a backbone preset ({@link BackboneConfig#presetNames()}). Preset
 * names are whatever {@link DetectorPresets#names()} lists, so new presets need no change here.
 */
final class DetectorConfigs {
    private DetectorConfigs() {}

    /**
     * The preset {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    static DetectorConfig preset(String name) {
        return DetectorPresets.get(name);
    }

    /**
     * {@code start} with the overrides applied (in order) and validated.
     *
     * @param source names the start in error messages, e.g. {@code --preset conditional_detr_tiny}
     * @throws IllegalArgumentException unknown field or preset (listing the valid ones), or an invalid value (naming
     *                                  the field)
     */
    static DetectorConfig withOverrides(DetectorConfig start, String source, List<String> overrides) {
        if (overrides.isEmpty()) return start;
        List<String> expanded = new ArrayList<>(overrides.size());
        for (String o : overrides) expanded.add(expandBackbonePreset(o));
        String json = JsonOverrides.apply(start.toJson(), expanded);
        return DetectorConfig.fromJson(json, source + " with --set " + overrides);
    }

    /** Whether one of the overrides sets {@code field} (a top-level field name). */
    static boolean overrides(List<String> overrides, String field) {
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq > 0 && o.substring(0, eq).trim().equals(field)) return true;
        }
        return false;
    }

    /** {@code backbone=resnet18} becomes {@code backbone=<that preset's JSON>}; anything else is unchanged. */
    private static String expandBackbonePreset(String override) {
        int eq = override.indexOf('=');
        if (eq < 0 || !override.substring(0, eq).trim().equals("backbone")) return override;
        String value = override.substring(eq + 1).trim();
        if (value.startsWith("{")) return override;
        return "backbone=" + BackboneConfig.preset(value).toJson();
    }
}
