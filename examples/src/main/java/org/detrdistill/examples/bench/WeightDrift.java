package org.detrdistill.examples.bench;

import org.detrdistill.core.internal.dl4j.GradientLogFilter;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.CheckpointFile;
import org.detrdistill.core.variant.Detectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far training moved each part of a detector: {@code ||W − W₀|| / ||W₀||} per parameter group (each backbone
 * stage, {@code input_proj}, {@code transformer}, the heads, ...) between a checkpoint and the initialisation the same
 * seed builds. A group near 0 is still its random initialisation (frozen stages have no parameters and are absent).
 * The distillation table uses it to show what a teacher's features are made of.
 *
 * <pre>
 * java ... org.detrdistill.examples.bench.WeightDrift runs/teacher/best.zip 1000
 * </pre>
 */
public final class WeightDrift {
    private WeightDrift() {}

    /** Sums of one group: squared change, squared initial norm, parameter count. */
    public record Group(double changeSq, double initSq, long count) {
        /** {@code ||W − W₀|| / ||W₀||}. */
        public double drift() { return Math.sqrt(changeSq / Math.max(initSq, Double.MIN_NORMAL)); }
    }

    /** The group of a parameter name: {@code backbone.0.body.layer2}, or the first name component ({@code input_proj}). */
    static String group(String name) {
        int body = name.indexOf(".body.");
        if (name.startsWith("backbone") && body >= 0) {
            int end = name.indexOf('.', body + ".body.".length());
            return end < 0 ? name : name.substring(0, end);
        }
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /**
     * The drift of every parameter group of {@code trained} against {@code initial} (parameters missing from the
     * initial graph, e.g. distillation adapters, are skipped).
     */
    public static Map<String, Group> drift(Checkpoint trained, DetectorGraph initial) {
        Map<String, double[]> sums = new TreeMap<>();
        for (Map.Entry<String, INDArray> e : trained.parameters().entrySet()) {
            if (!initial.sameDiff().hasVariable(e.getKey())) continue;
            INDArray w0 = initial.sameDiff().getArrForVarName(e.getKey()).castTo(DataType.DOUBLE);
            INDArray w = e.getValue().castTo(DataType.DOUBLE);
            if (!java.util.Arrays.equals(w0.shape(), w.shape())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + ": checkpoint shape " + java.util.Arrays.toString(w.shape())
                        + ", initial graph " + java.util.Arrays.toString(w0.shape()));
            }
            double change = w.sub(w0).norm2Number().doubleValue(), init = w0.norm2Number().doubleValue();
            double[] s = sums.computeIfAbsent(group(e.getKey()), k -> new double[3]);
            s[0] += change * change;
            s[1] += init * init;
            s[2] += w.length();
        }
        Map<String, Group> out = new LinkedHashMap<>();
        sums.forEach((k, s) -> out.put(k, new Group(s[0], s[1], (long) s[2])));
        return out;
    }

    /** {@code WeightDrift CHECKPOINT SEED}: prints one line per parameter group. */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: WeightDrift CHECKPOINT.zip SEED   (the seed the detector was built with)");
            System.exit(2);
        }
        GradientLogFilter.install();
        Checkpoint c = CheckpointFile.read(Path.of(args[0]));
        DetectorGraph initial = Detectors.build(c.config(), DataType.FLOAT, Long.parseLong(args[1]));
        System.out.println("| group | parameters | drift ‖W−W₀‖/‖W₀‖ |\n|---|---:|---:|");
        drift(c, initial).forEach((k, g) -> System.out.printf(Locale.ROOT, "| %s | %,d | %.3f |%n", k, g.count(), g.drift()));
    }
}
