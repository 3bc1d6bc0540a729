package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.onnx.OnnxNativeImport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link DetectorConfig} of a native teacher imported from ONNX ({@code import-onnx}, native route): the fields the
 * weights determine ({@link OnnxNativeImport#infer}) on top of what the options give — {@code --preset NAME},
 * {@code --config FILE} or {@code --variant NAME} (or the detected variant's reference sizes) with {@code --set}
 * overrides. The options must give what the weights cannot ({@link OnnxNativeImport#NOT_INFERABLE}: the heads), either
 * through a preset or config file or with {@code --set heads=N}; a {@code --set} the weights contradict is refused.
 *
 * @param config    the resolved configuration
 * @param inferred  the fields the weights determined, {@code field → value}
 * @param replaced  fields of the preset or config file the weights replaced, {@code field → old -> new}
 * @param fromUser  the fields that came from the options and not the weights (the heads, and any other given)
 */
record NativeTeacherConfig(DetectorConfig config, Map<String, Object> inferred, Map<String, String> replaced,
                           List<String> fromUser) {

    /**
     * Resolves the configuration.
     *
     * @param inference what the weights say
     * @param preset    {@code --preset}, or null
     * @param file      {@code --config}, or null
     * @param variant   {@code --variant}, or null
     * @param overrides {@code --set KEY=VALUE}, in order
     * @throws IllegalArgumentException listing what is missing (with the options that give it), naming a {@code --set}
     *                                  the weights contradict, or a variant other than the detected one
     */
    static NativeTeacherConfig resolve(OnnxNativeImport.Inference inference, String preset, Path file, String variant,
                                       List<String> overrides) throws IOException {
        Variant detected = inference.variant();
        DetectorConfig start;
        String source;
        boolean complete;   // a preset or file gives every field, the heads included
        if (file != null) {
            start = DetectorConfig.read(CliFiles.requireFile(file, "--config"));
            source = file.toString();
            complete = true;
        } else if (preset != null) {
            start = DetectorConfigs.preset(preset);
            source = "--preset " + preset;
            complete = true;
        } else {
            Variant v = variant == null ? detected : Variant.of(variant);
            start = DetectorConfig.builder(v).build();
            source = variant == null ? "the detected variant " + v : "--variant " + v;
            complete = false;
        }
        if (start.variant() != detected) {
            throw new IllegalArgumentException(inference.source() + " carries the parameter names of " + detected + ", but "
                    + source + " is " + start.variant());
        }
        List<String> missing = new ArrayList<>();
        for (String f : OnnxNativeImport.NOT_INFERABLE) {
            if (!complete && !DetectorConfigs.overrides(overrides, f)) missing.add(f);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("cannot build the native " + detected + " teacher of " + inference.source()
                    + ": the weights do not determine " + missing + " (every attention projection is d x d for any head "
                    + "count); give --set heads=N (the reference models use 8), or --preset/--config, or import the "
                    + "graph instead with --route graph");
        }
        DetectorConfig given = DetectorConfigs.withOverrides(start, source, overrides);
        Map<String, String> differences = inference.differences(given);
        Map<String, String> replaced = new LinkedHashMap<>();
        for (Map.Entry<String, String> d : differences.entrySet()) {
            String set = setKeyFor(d.getKey(), overrides);
            if (set != null) {
                throw new IllegalArgumentException("--set " + set + " contradicts the weights of " + inference.source()
                        + ": " + d.getKey() + " " + d.getValue() + " (the parameter shapes decide it; leave it out)");
            }
            if (complete) replaced.put(d.getKey(), d.getValue());
        }
        List<String> fromUser = new ArrayList<>(OnnxNativeImport.NOT_INFERABLE);
        for (String o : overrides) {
            String key = o.substring(0, Math.max(0, o.indexOf('='))).trim();
            if (!key.isEmpty() && !fromUser.contains(key)) fromUser.add(key);
        }
        return new NativeTeacherConfig(inference.apply(given), inference.values(), replaced, fromUser);
    }

    /** The {@code --set} key that sets {@code field} (itself or a parent object), or null. */
    private static String setKeyFor(String field, List<String> overrides) {
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) continue;
            String key = o.substring(0, eq).trim();
            if (field.equals(key) || field.startsWith(key + ".")) return o;
        }
        return null;
    }
}
