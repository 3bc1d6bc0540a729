package org.detrdistill.examples.bench;

import org.detrdistill.core.model.Variant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of {@link DetectorBenchmark}, parsed from {@code --name=value} arguments.
 *
 * @param variants   detectors to measure, in order (default: every {@link Variant})
 * @param iterations timed calls per measurement; medians are reported (default 30)
 * @param warmup     untimed calls before each measurement (default 50: the first builds the graph's executors, and the
 *                   JIT needs ~50 training steps before SameDiff's Java code runs compiled; with 5 the step measured
 *                   ~45 % slower)
 * @param batch      images per batch B (default 2)
 * @param height     canvas height H (default 128)
 * @param width      canvas width W (default 128)
 * @param profile    profiled calls per variant after the timed ones (default 3; 0 = no profile, and no executed-op
 *                   counts)
 * @param seed       seed of the parameters and the batch (default 42)
 */
public record DetectorBenchOptions(List<Variant> variants, int iterations, int warmup, int batch, int height, int width,
                                   int profile, long seed) {
    private static final List<String> NAMES = List.of("variants", "iterations", "warmup", "batch", "canvas", "profile", "seed");

    public DetectorBenchOptions {
        variants = List.copyOf(variants);
        if (variants.isEmpty()) throw new IllegalArgumentException("--variants: at least one variant");
        positive("iterations", iterations);
        if (warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        positive("batch", batch);
        if (height < 32 || width < 32) throw new IllegalArgumentException("--canvas must be at least 32x32, got " + height + "x" + width);
        if (profile < 0) throw new IllegalArgumentException("--profile must be >= 0, got " + profile);
    }

    /** The defaults (see the components). */
    public static DetectorBenchOptions defaults() {
        return new DetectorBenchOptions(List.of(Variant.values()), 30, 50, 2, TinyDetectorConfig.CANVAS,
                TinyDetectorConfig.CANVAS, 3, 42);
    }

    /**
     * Parses {@code --variants=a,b --iterations=N --warmup=N --batch=N --canvas=HxW|N --profile=N --seed=N}.
     *
     * @throws IllegalArgumentException naming the bad argument and listing the valid names
     */
    public static DetectorBenchOptions parse(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) throw new IllegalArgumentException("expected --name=value, got '" + a + "'; names: " + NAMES);
            String key = a.substring(2, eq);
            if (!NAMES.contains(key)) throw new IllegalArgumentException("unknown option --" + key + "; valid: " + NAMES);
            given.put(key, a.substring(eq + 1));
        }
        DetectorBenchOptions d = defaults();
        List<Variant> variants = d.variants;
        if (given.containsKey("variants")) {
            variants = new ArrayList<>();
            for (String v : given.get("variants").split(",")) variants.add(Variant.of(v));
        }
        int height = d.height, width = d.width;
        if (given.containsKey("canvas")) {
            String c = given.get("canvas").toLowerCase();
            String[] hw = c.split("x");
            if (hw.length > 2) throw new IllegalArgumentException("--canvas must be HxW or N, got '" + c + "'");
            height = integer("canvas", hw[0]);
            width = hw.length == 2 ? integer("canvas", hw[1]) : height;
        }
        return new DetectorBenchOptions(variants,
                given.containsKey("iterations") ? integer("iterations", given.get("iterations")) : d.iterations,
                given.containsKey("warmup") ? integer("warmup", given.get("warmup")) : d.warmup,
                given.containsKey("batch") ? integer("batch", given.get("batch")) : d.batch,
                height, width,
                given.containsKey("profile") ? integer("profile", given.get("profile")) : d.profile,
                given.containsKey("seed") ? Long.parseLong(given.get("seed")) : d.seed);
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) throw new IllegalArgumentException("--" + name + " must be >= 1, got " + v);
    }

    @Override public String toString() {
        return "variants " + Arrays.toString(variants.stream().map(Variant::id).toArray()) + ", " + iterations
                + " timed + " + warmup + " warm-up calls, batch " + batch + ", canvas " + height + "x" + width
                + ", " + profile + " profiled calls, seed " + seed;
    }
}
