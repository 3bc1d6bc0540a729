package org.detrdistill.examples.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The distillation table from the runs' results: per row the mean ± sample standard deviation over seeds of AP, AP50
 * and AP75 (in percent, as in the paper), the paired difference to the student alone (per seed, then mean ± std:
 * every row of a seed starts from the same initialisation and sees the same batches, so the pairing removes most of
 * the seed's noise), and the cost per run. Rows that could not run show why ({@code n/a (term not registered: ...)},
 * {@code failed: ...}). {@link #markdown} writes the table, {@link #writeChart} a grouped bar chart (XChart) of AP,
 * AP50 and AP75 with ±1 std error bars.
 */
public final class DistillationTable {
    private final TableRunResult teacher;
    private final List<TableRow> rows;
    private final Map<String, List<TableRunResult>> byRow = new LinkedHashMap<>();

    /**
     * @param teacher the teacher's result
     * @param rows    the rows in table order; the student-alone row, if present, is the reference of the differences
     * @param results every student run (any order)
     */
    public DistillationTable(TableRunResult teacher, List<TableRow> rows, List<TableRunResult> results) {
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.rows = List.copyOf(rows);
        for (TableRow r : rows) byRow.put(r.key(), new ArrayList<>());
        for (TableRunResult r : results) {
            List<TableRunResult> l = byRow.get(r.row());
            if (l == null) throw new IllegalArgumentException("result of unknown row '" + r.row() + "'; rows: " + byRow.keySet());
            l.add(r);
        }
    }

    /** Mean and sample standard deviation (0 for one value) of a statistic; n = 0 gives NaN. */
    public record MeanStd(double mean, double std, int n) {
        static MeanStd of(List<Double> v) {
            int n = v.size();
            if (n == 0) return new MeanStd(Double.NaN, Double.NaN, 0);
            double m = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
            return new MeanStd(m, n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n);
        }

        /** {@code 12.3 ± 0.4} in percent ({@code 12.3} for one value, {@code +1.2 ± 0.3} when signed). */
        String percent(boolean signed) {
            if (n == 0) return "–";
            String m = String.format(Locale.ROOT, signed ? "%+.1f" : "%.1f", 100 * mean);
            return n > 1 ? m + String.format(Locale.ROOT, " ± %.1f", 100 * std) : m;
        }
    }

    /** The statistic over the successful runs of a row. */
    public MeanStd stat(String row, ToDoubleFunction<TableRunResult> f) {
        return MeanStd.of(ok(row).stream().map(r -> f.applyAsDouble(r)).toList());
    }

    /** The paired difference of the statistic to the student alone, over the seeds both have (NaN without a student row). */
    public MeanStd delta(String row, ToDoubleFunction<TableRunResult> f) {
        Map<Long, TableRunResult> base = new LinkedHashMap<>();
        for (TableRunResult r : ok(baselineKey())) base.put(r.seed(), r);
        List<Double> d = new ArrayList<>();
        for (TableRunResult r : ok(row)) {
            TableRunResult b = base.get(r.seed());
            if (b != null) d.add(f.applyAsDouble(r) - f.applyAsDouble(b));
        }
        return MeanStd.of(d);
    }

    private String baselineKey() {
        return rows.stream().filter(TableRow::isBaseline).map(TableRow::key).findFirst().orElse("");
    }

    private List<TableRunResult> ok(String row) {
        return byRow.getOrDefault(row, List.of()).stream().filter(TableRunResult::ok).toList();
    }

    /** Why a row has no numbers (the first non-ok status), or null if every run is ok. */
    private String problem(String row) {
        return byRow.getOrDefault(row, List.of()).stream().filter(r -> !r.ok()).map(TableRunResult::status).findFirst().orElse(null);
    }

    /** The table in markdown (AP in percent). */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| method | terms (λ) | AP | AP50 | AP75 | ΔAP vs student | ΔAP50 | seeds | train wall min/run | CPU min/run | CPU ms/step |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        if (teacher.ok()) {
            b.append(String.format(Locale.ROOT, "| teacher | – | %.1f | %.1f | %.1f | – | – | 1 | %.1f | %.1f | %.0f |%n",
                    100 * teacher.ap(), 100 * teacher.ap50(), 100 * teacher.ap75(), teacher.wallSeconds() / 60,
                    teacher.threadCpuSeconds() / 60, teacher.stepCpuMs()));
        }
        boolean haveBaseline = !baselineKey().isEmpty();
        for (TableRow row : rows) {
            List<TableRunResult> good = ok(row.key());
            String problem = problem(row.key());
            b.append("| ").append(row.label()).append(" | ").append(row.describeTerms()).append(" | ");
            if (good.isEmpty()) {
                b.append(problem == null ? "not run" : problem.replace('|', '/')).append(" | | | | | | | | |\n");
                continue;
            }
            boolean base = row.isBaseline() || !haveBaseline;
            b.append(stat(row.key(), TableRunResult::ap).percent(false)).append(" | ")
                    .append(stat(row.key(), TableRunResult::ap50).percent(false)).append(" | ")
                    .append(stat(row.key(), TableRunResult::ap75).percent(false)).append(" | ")
                    .append(base ? "–" : delta(row.key(), TableRunResult::ap).percent(true)).append(" | ")
                    .append(base ? "–" : delta(row.key(), TableRunResult::ap50).percent(true)).append(" | ")
                    .append(good.size()).append(problem == null ? "" : " (" + problem.replace('|', '/') + ")").append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f | %.1f | %.0f |%n",
                            stat(row.key(), TableRunResult::wallSeconds).mean() / 60,
                            stat(row.key(), TableRunResult::threadCpuSeconds).mean() / 60,
                            stat(row.key(), TableRunResult::stepCpuMs).mean()));
        }
        return b.toString();
    }

    /**
     * Per-term loss magnitudes (weighted, as optimised; mean over the first and the last tenth of each run, averaged
     * over seeds): the detection loss {@code det} and each distillation term, to compare their scales.
     */
    public String lossTable() {
        StringBuilder b = new StringBuilder("| method | loss family | first tenth | last tenth |\n|---|---|---:|---:|\n");
        for (TableRow row : rows) {
            List<TableRunResult> good = ok(row.key());
            if (good.isEmpty()) continue;
            Map<String, List<Double>> first = new LinkedHashMap<>(), last = new LinkedHashMap<>();
            for (TableRunResult r : good) {
                r.lossesFirst().forEach((k, v) -> first.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                r.lossesLast().forEach((k, v) -> last.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            }
            for (String k : first.keySet()) {
                b.append(String.format(Locale.ROOT, "| %s | %s | %.4g | %.4g |%n", row.label(), k, MeanStd.of(first.get(k)).mean(),
                        MeanStd.of(last.getOrDefault(k, List.of())).mean()));
            }
        }
        return b.toString();
    }

    /**
     * Writes a grouped bar chart of AP, AP50 and AP75 (percent) per row, teacher first, with ±1 std error bars; rows
     * without numbers are left out. Written atomically.
     */
    public void writeChart(Path png, String title) throws IOException {
        List<String> labels = new ArrayList<>();
        List<List<Double>> means = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<Double>> stds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<ToDoubleFunction<TableRunResult>> stats = List.of(TableRunResult::ap, TableRunResult::ap50, TableRunResult::ap75);
        if (teacher.ok()) {
            labels.add("teacher");
            for (int i = 0; i < 3; i++) {
                means.get(i).add(100 * stats.get(i).applyAsDouble(teacher));
                stds.get(i).add(0.0);
            }
        }
        for (TableRow row : rows) {
            if (ok(row.key()).isEmpty()) continue;
            labels.add(row.label());
            for (int i = 0; i < 3; i++) {
                MeanStd m = stat(row.key(), stats.get(i));
                means.get(i).add(100 * m.mean());
                stds.get(i).add(100 * m.std());
            }
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(600).title(title).xAxisTitle("method")
                .yAxisTitle("COCO AP on val (%)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setYAxisMin(0.0);
        String[] names = {"AP", "AP50", "AP75"};
        if (labels.isEmpty()) labels.add("no results");
        for (int i = 0; i < 3; i++) {
            List<Double> m = means.get(i).isEmpty() ? List.of(0.0) : means.get(i);
            List<Double> s = stds.get(i).isEmpty() ? List.of(0.0) : stds.get(i);
            chart.addSeries(names[i], labels, m, s);
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
