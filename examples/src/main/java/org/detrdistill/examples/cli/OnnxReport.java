package org.detrdistill.examples.cli;

import org.detrdistill.core.onnx.OnnxModel;
import org.detrdistill.core.onnx.OnnxOutputMapping;
import org.detrdistill.core.onnx.OnnxVerification;
import org.detrdistill.distill.teacher.TeacherComponents;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text {@code import-onnx} prints: a labelled block per topic (model, inputs, outputs, parameters, op histogram,
 * mapping, route, ...), values wrapped under their label, and the verification table.
 */
final class OnnxReport {
    private static final int LABEL = 13, WIDTH = 110;
    private final PrintWriter out;

    OnnxReport(PrintWriter out) { this.out = out; }

    /** One labelled line, or several when {@code lines} has more than one entry (label on the first). */
    void field(String label, List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            out.printf(Locale.ROOT, "%-" + LABEL + "s%s%n", i == 0 ? label : "", lines.get(i));
        }
        out.flush();
    }

    void field(String label, String line) { field(label, List.of(line)); }

    /** The model: file, opset, inputs, outputs, parameters, op histogram (most frequent first). */
    void model(OnnxModel m) {
        field("model", String.format(Locale.ROOT, "%s: opset %d, IR %d, %,d nodes, %,d initializers", m.source(), m.opset(),
                m.proto().getIrVersion(), m.proto().getGraph().getNodeCount(), m.proto().getGraph().getInitializerCount()));
        field("inputs", m.inputs().stream().map(OnnxReport::tensor).toList());
        field("outputs", m.outputs().stream().map(OnnxReport::tensor).toList());
        List<String> generated = m.generatedInitializerNames();
        field("parameters", String.format(Locale.ROOT, "%,d values in %,d floating-point initializers; %s", m.parameterCount(),
                m.initializers().stream().filter(t -> t.dataType().equals("FLOAT") || t.dataType().equals("DOUBLE")).count(),
                m.constantsFolded() ? "exported with constant folding: parameter names lost (e.g. "
                        + generated.subList(0, Math.min(2, generated.size())) + ")" : "state_dict names kept"));
        List<Map.Entry<String, Integer>> ops = new ArrayList<>(m.opTypeCounts().entrySet());
        ops.sort(Comparator.comparing((Map.Entry<String, Integer> e) -> -e.getValue()).thenComparing(Map.Entry::getKey));
        List<String> items = ops.stream().map(e -> e.getKey() + " " + e.getValue()).toList();
        field("ops", wrap(items, ops.size() + " op types: "));
    }

    static String tensor(OnnxModel.TensorInfo t) {
        return t.name() + " " + Arrays.toString(t.shape()).replace("-1", "?") + " " + t.dataType();
    }

    /** {@code items} joined with ", " into lines of at most {@link #WIDTH} characters, the first starting with {@code head}. */
    static List<String> wrap(List<String> items, String head) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(head);
        boolean empty = true;   // no item on this line yet
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i) + (i < items.size() - 1 ? "," : "");
            if (!empty && line.length() + 1 + item.length() > WIDTH - LABEL) {
                lines.add(line.toString());
                line = new StringBuilder();
                empty = true;
            }
            if (!empty) line.append(' ');
            line.append(item);
            empty = false;
        }
        lines.add(line.toString());
        return lines;
    }

    /** The mapping as {@code field=output} pairs. */
    void mapping(OnnxOutputMapping m, String from) {
        List<String> pairs = new ArrayList<>();
        m.byField().forEach((k, v) -> pairs.add(k + "=" + v));
        if (m.memory() != null) pairs.add("memorySequenceFirst=" + m.memorySequenceFirst());
        List<String> lines = pairs.isEmpty() ? new ArrayList<>(List.of("(no output mapped)")) : wrap(pairs, "");
        lines.add("(" + from + ")");
        field("mapping", lines);
    }

    /** Which distillation terms the teacher's outputs allow. */
    void components(List<TeacherComponents.Component> components) {
        List<String> ok = components.stream().filter(TeacherComponents.Component::available).map(TeacherComponents.Component::term).toList();
        List<String> lines = new ArrayList<>();
        lines.add(ok.isEmpty() ? "none available" : String.join(", ", ok) + " available");
        for (TeacherComponents.Component c : components) {
            if (!c.available()) lines.add(c.term() + " unavailable: missing " + String.join(", ", c.missing()));
        }
        field("terms", lines);
    }

    /** The verification table and its verdict. */
    void verification(OnnxVerification.Result r) {
        List<String> lines = new ArrayList<>();
        int w = Math.max(8, r.entries().stream().mapToInt(e -> e.output().length()).max().orElse(8));
        lines.add(String.format(Locale.ROOT, "%-" + w + "s  %-18s %11s %11s", "output", "shape", "max|diff|", "max|ref|"));
        for (OnnxVerification.Entry e : r.entries()) {
            String verdict = e.within(r.tolerance()) ? "ok" : "FAIL" + (e.problem() == null ? "" : " (" + e.problem() + ")");
            lines.add(String.format(Locale.ROOT, "%-" + w + "s  %-18s %11.3e %11.3e  %s", e.output(),
                    Arrays.toString(e.shape()), e.maxAbsDiff(), e.maxAbsRef(), verdict));
        }
        r.notCompared().forEach((k, why) -> lines.add(String.format(Locale.ROOT, "%-" + w + "s  not compared: %s", k, why)));
        lines.add(r.passed()
                ? String.format(Locale.ROOT, "all %d compared output(s) within the tolerance %.1e", r.entries().size(), r.tolerance())
                : String.format(Locale.ROOT, "%d of %d output(s) over the tolerance %.1e", r.failures().size(), r.entries().size(), r.tolerance()));
        field("verify", lines);
    }
}
