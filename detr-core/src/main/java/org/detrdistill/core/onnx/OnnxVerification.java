package org.detrdistill.core.onnx;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Checks an imported teacher against the exporter's reference outputs: the max absolute difference per output, and
 * whether each is within a tolerance. The references are a folder of {@code <output name>.npy} files, as
 * {@code tools/export_onnx.py} writes them ({@code ref_outputs/}).
 *
 * <pre>{@code
 * Map<String, INDArray> refs = OnnxVerification.readReferences(Path.of("export/ref_outputs"), model.outputNames());
 * OnnxVerification.Result r = OnnxVerification.compare(teacher.graphOutputs(input, List.copyOf(refs.keySet())), refs, 1e-4);
 * r.passed();   // every compared output within 1e-4
 * }</pre>
 */
public final class OnnxVerification {
    /** Default tolerance on the max absolute difference (float32 exports match to ~1e-6). */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    private OnnxVerification() {}

    /**
     * One compared output.
     *
     * @param output      the ONNX output name
     * @param shape       the reference's shape
     * @param maxAbsDiff  {@code max |got − ref|} (NaN when the shapes differ or a value is not finite)
     * @param maxAbsRef   {@code max |ref|}, for scale
     * @param problem     null, or why the output could not be compared (e.g. the shapes differ)
     */
    public record Entry(String output, long[] shape, double maxAbsDiff, double maxAbsRef, String problem) {
        public Entry { shape = shape.clone(); }

        @Override public long[] shape() { return shape.clone(); }

        /** Whether this output is within {@code tolerance}. */
        public boolean within(double tolerance) { return problem == null && maxAbsDiff <= tolerance; }

        @Override public String toString() {
            return output + " " + Arrays.toString(shape) + (problem != null ? ": " + problem
                    : String.format(java.util.Locale.ROOT, " max|diff| %.3e (max|ref| %.3e)", maxAbsDiff, maxAbsRef));
        }
    }

    /**
     * The outcome of a verification.
     *
     * @param entries     one per reference that was compared, in reference order
     * @param notCompared references with no counterpart in what was run (e.g. a graph output the native route does not
     *                    produce), with the reason
     * @param tolerance   the tolerance applied
     */
    public record Result(List<Entry> entries, Map<String, String> notCompared, double tolerance) {
        public Result {
            entries = List.copyOf(entries);
            notCompared = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(notCompared));
        }

        /** True when at least one output was compared and every compared output is within the tolerance. */
        public boolean passed() { return !entries.isEmpty() && entries.stream().allMatch(e -> e.within(tolerance)); }

        /** The outputs over the tolerance or not comparable. */
        public List<Entry> failures() { return entries.stream().filter(e -> !e.within(tolerance)).toList(); }
    }

    /**
     * Reads every {@code *.npy} file of {@code dir} as a reference, keyed by file name without {@code .npy}.
     *
     * @param outputs the model's output names
     * @throws IllegalArgumentException naming the folder when it is missing or has no {@code .npy} file, and naming the
     *                                  files that are not outputs of the model (listing its outputs)
     */
    public static Map<String, INDArray> readReferences(Path dir, Collection<String> outputs) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("verification outputs folder not found: " + dir);
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".npy") && Files.isRegularFile(p))
                    .forEach(p -> files.put(p.getFileName().toString().replaceFirst("\\.npy$", ""), p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (files.isEmpty()) throw new IllegalArgumentException(dir + " holds no <output>.npy file to verify against");
        List<String> unknown = files.keySet().stream().filter(n -> !outputs.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(dir + ": " + unknown.stream().map(n -> n + ".npy").toList()
                    + " name no output of the model; its outputs are " + outputs);
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String o : outputs) {
            Path p = files.get(o);
            if (p == null) continue;
            try {
                out.put(o, Nd4j.createFromNpyFile(p.toFile()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a readable .npy file: " + p + " (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    /**
     * Compares what was run with the references.
     *
     * @param got        outputs by ONNX name (may lack some references: they are reported in {@link Result#notCompared})
     * @param references by ONNX name
     * @param missing    why an output absent from {@code got} was not produced (used for {@link Result#notCompared})
     */
    public static Result compare(Map<String, INDArray> got, Map<String, INDArray> references, double tolerance,
                                 String missing) {
        if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        List<Entry> entries = new ArrayList<>();
        Map<String, String> notCompared = new LinkedHashMap<>();
        references.forEach((name, ref) -> {
            INDArray y = got.get(name);
            double scale = ref.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
            if (y == null) {
                notCompared.put(name, missing);
            } else if (!Arrays.equals(y.shape(), ref.shape())) {
                entries.add(new Entry(name, ref.shape(), Double.NaN, scale, "shape " + Arrays.toString(y.shape())
                        + ", reference " + Arrays.toString(ref.shape())));
            } else {
                double[] d = y.castTo(DataType.DOUBLE).sub(ref.castTo(DataType.DOUBLE)).dup('c').data().asDouble();
                double max = 0;
                boolean finite = true;
                for (double x : d) {
                    finite &= Double.isFinite(x);
                    max = Math.max(max, Math.abs(x));
                }
                entries.add(new Entry(name, ref.shape(), finite ? max : Double.NaN, scale, finite ? null : "non-finite values"));
            }
        });
        return new Result(entries, notCompared, tolerance);
    }
}
