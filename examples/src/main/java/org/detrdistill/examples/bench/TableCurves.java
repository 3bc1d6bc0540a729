package org.detrdistill.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The learning curves of the table's rows: the validation AP of every evaluation during each run (the {@code eval}
 * records of its {@code metrics.jsonl}), averaged over the seeds per step, with the paired difference to the student
 * alone. It shows whether a method helps early (faster training) or only at the end.
 */
public final class TableCurves {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<TableRow> rows;
    /** row → seed → step → AP. */
    private final Map<String, Map<Long, SortedMap<Long, Double>>> curves = new LinkedHashMap<>();

    private TableCurves(List<TableRow> rows) { this.rows = List.copyOf(rows); }

    /**
     * Reads the evaluations of every successful run.
     *
     * @param runs    the runs folder: {@code <runs>/<row>/seed-<s>/metrics.jsonl}
     * @param rows    the rows in table order
     * @param results the runs (failed or missing ones are skipped, as are runs without a metrics file)
     */
    public static TableCurves read(Path runs, List<TableRow> rows, List<TableRunResult> results) {
        TableCurves c = new TableCurves(rows);
        for (TableRunResult r : results) {
            if (!r.ok()) continue;
            Path metrics = runs.resolve(r.row()).resolve("seed-" + r.seed()).resolve("metrics.jsonl");
            if (!Files.isRegularFile(metrics)) continue;
            c.curves.computeIfAbsent(r.row(), k -> new LinkedHashMap<>()).put(r.seed(), evaluations(metrics));
        }
        return c;
    }

    /** Step → AP of the {@code eval} records of one {@code metrics.jsonl}. */
    static SortedMap<Long, Double> evaluations(Path metrics) {
        SortedMap<Long, Double> ap = new TreeMap<>();
        try {
            int line = 0;
            for (String l : Files.readAllLines(metrics)) {
                line++;
                if (l.isBlank()) continue;
                JsonNode n = JSON.readTree(l);
                if (!"eval".equals(n.path("type").asText())) continue;
                JsonNode v = n.path("metrics").path("AP");
                if (!v.isNumber() || !n.path("step").canConvertToLong()) {
                    throw new IllegalArgumentException(metrics + " line " + line + ": eval record without numeric 'step' and 'metrics.AP'");
                }
                ap.put(n.path("step").asLong(), v.asDouble());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(metrics + ": " + e.getMessage(), e);
        }
        return ap;
    }

    /** The evaluation steps found in any run. */
    public SortedSet<Long> steps() {
        SortedSet<Long> s = new TreeSet<>();
        curves.values().forEach(bySeed -> bySeed.values().forEach(c -> s.addAll(c.keySet())));
        return s;
    }

    /** Mean ± std over the seeds of a row's AP at {@code step} (n = 0 when no run evaluated there). */
    public DistillationTable.MeanStd at(String row, long step) {
        List<Double> v = new ArrayList<>();
        curves.getOrDefault(row, Map.of()).values().forEach(c -> { if (c.containsKey(step)) v.add(c.get(step)); });
        return DistillationTable.MeanStd.of(v);
    }

    /** The paired difference to the student alone at {@code step}, over the seeds both evaluated there. */
    public DistillationTable.MeanStd deltaAt(String row, long step) {
        String base = rows.stream().filter(TableRow::isBaseline).map(TableRow::key).findFirst().orElse("");
        Map<Long, SortedMap<Long, Double>> b = curves.getOrDefault(base, Map.of());
        List<Double> d = new ArrayList<>();
        curves.getOrDefault(row, Map.of()).forEach((seed, c) -> {
            SortedMap<Long, Double> bc = b.get(seed);
            if (bc != null && c.containsKey(step) && bc.containsKey(step)) d.add(c.get(step) - bc.get(step));
        });
        return DistillationTable.MeanStd.of(d);
    }

    /** One row per method, one column per evaluation step: {@code AP (ΔAP)} in percent; empty without evaluations. */
    public String markdown() {
        SortedSet<Long> steps = steps();
        if (steps.isEmpty()) return "";
        StringBuilder b = new StringBuilder("| method |");
        steps.forEach(s -> b.append(" AP @").append(s).append(" |"));
        b.append("\n|---|");
        steps.forEach(s -> b.append("---:|"));
        b.append('\n');
        for (TableRow row : rows) {
            if (!curves.containsKey(row.key())) continue;
            b.append("| ").append(row.label()).append(" |");
            for (long s : steps) {
                DistillationTable.MeanStd m = at(row.key(), s);
                b.append(' ').append(m.n() == 0 ? "–" : String.format(Locale.ROOT, "%.1f", 100 * m.mean()));
                DistillationTable.MeanStd d = deltaAt(row.key(), s);
                if (!row.isBaseline() && d.n() > 0) b.append(String.format(Locale.ROOT, " (%+.1f)", 100 * d.mean()));
                b.append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }
}
