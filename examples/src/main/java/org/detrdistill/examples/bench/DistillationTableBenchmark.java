package org.detrdistill.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.detrdistill.core.internal.dl4j.GradientLogFilter;
import org.detrdistill.core.runtime.NativeRuntime;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.detrdistill.distill.DistillTermRegistry;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The DETRDistill paper's comparison table in miniature, on the synthetic dataset: a larger teacher ({@link TablePair})
 * is trained once, then every row ({@link TableRow}: student alone, + logits, + feature, + query-prior, + all
 * (DETRDistill), Teach-DETR, FitNet, MGD) trains the same student with the same budget, schedule and seed, once per
 * seed, and is evaluated with the COCO evaluator on the validation split. Writes into {@code --out}:
 * <pre>
 * data/                      the synthetic dataset (reused when its config is unchanged)
 * teacher/                   the teacher's run (last.zip, metrics.jsonl, result.json; reused, or resumed if interrupted)
 * runs/&lt;row&gt;/seed-&lt;s&gt;/     each student run (reused when its settings are unchanged)
 * table.md                   setup, the table (AP/AP50/AP75 mean ± std over seeds, paired Δ vs student alone, cost),
 *                            per-term loss magnitudes
 * table.png                  grouped bars of AP, AP50, AP75 with ±1 std
 * results.json               every run's result
 * </pre>
 * The table and chart are rewritten after every run, so a long run can be watched. With only the student-alone row
 * selected, the teacher is not trained (so the students can run beside the teacher's training in another process;
 * two processes must not train the same teacher folder at once).
 *
 * <pre>
 * OMP_NUM_THREADS=1 java -Xmx3g -cp "examples/target/classes:$(cat examples/target/runtime.classpath)" \
 *     org.detrdistill.examples.bench.DistillationTableBenchmark --variant=deformable_detr --seeds=1,2,3 \
 *     --teacher-iterations=3000 --student-iterations=500 --out=work/papertable
 * </pre>
 * Options: see {@link TableOptions}.
 */
public final class DistillationTableBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DistillationTableBenchmark() {}

    /**
     * What the benchmark wrote.
     *
     * @param table    the table of every run
     * @param markdown {@code table.md}
     * @param chart    {@code table.png}
     * @param teacher  the teacher's result
     * @param results  every student run, seed-major
     */
    public record Outcome(DistillationTable table, Path markdown, Path chart, TableRunResult teacher, List<TableRunResult> results) {}

    public static void main(String[] args) throws IOException {
        System.setProperty("org.slf4j.simpleLogger.log.org.nd4j.autodiff.functions.DifferentialFunction", "error");
        TableOptions options;
        try {
            options = TableOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("DistillationTableBenchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        GradientLogFilter.install();                    // SameDiff prints a line per op when it builds gradients
        System.out.println(NativeRuntime.prepare());
        Outcome o = run(options, DistillTermRegistry.standard(), System.out);
        System.out.println();
        System.out.println(o.table().markdown());
        System.out.println("wrote " + o.markdown() + " and " + o.chart());
    }

    /**
     * Runs the benchmark: dataset, teacher, every row × seed (seed-major), then the table and chart.
     *
     * @param registry the distillation terms available (rows naming other terms show {@code n/a})
     * @param log      progress lines
     * @throws IOException on I/O failure
     * @throws IllegalArgumentException if the output folder holds a teacher trained with other settings
     */
    public static Outcome run(TableOptions options, DistillTermRegistry registry, PrintStream log) throws IOException {
        Path out = options.out();
        Files.createDirectories(out);
        log.println("distillation table: " + options);
        SyntheticCocoConfig synth = SyntheticCocoConfig.builder().numTrainImages(options.trainImages())
                .numValImages(options.valImages()).imageWidth(options.size()).imageHeight(options.size())
                .seed(options.dataSeed()).build();
        Path dataDir = out.resolve("data");
        ensureDataset(synth, dataDir, log);
        CocoDataset train = CocoSplit.inDataDir(dataDir, SyntheticSplit.TRAIN.dirName()).read();
        CocoDataset val = CocoSplit.inDataDir(dataDir, SyntheticSplit.VAL.dirName()).read();
        TablePair pair = TablePair.forVariant(options.variant(), train.categories().size(), options.size());
        log.println(pair.describe());

        TableRunner runner = new TableRunner(options, train, val, pair, synth.toJson(), registry, log);
        List<TableRow> rows = options.selectedRows();
        TableRunResult teacher = rows.stream().allMatch(TableRow::isBaseline)
                ? TableRunResult.without("teacher", options.teacherSeed(), "not needed (no distillation row)", "")
                : runner.teacher();
        List<TableRunResult> results = new ArrayList<>();
        Path md = out.resolve("table.md"), png = out.resolve("table.png");
        DistillationTable table = new DistillationTable(teacher, rows, results);
        for (long seed : options.seeds()) {
            for (TableRow row : rows) {
                results.add(runner.student(row, seed));
                table = write(options, pair, teacher, rows, results, md, png);
            }
        }
        if (results.isEmpty()) table = write(options, pair, teacher, rows, results, md, png);
        return new Outcome(table, md, png, teacher, List.copyOf(results));
    }

    private static DistillationTable write(TableOptions options, TablePair pair, TableRunResult teacher, List<TableRow> rows,
                                           List<TableRunResult> results, Path md, Path png) throws IOException {
        DistillationTable table = new DistillationTable(teacher, rows, results);
        String title = String.format(Locale.ROOT, "%s on synthetic COCO: %d student iterations, seeds %s",
                options.variant().id(), options.studentIterations(), options.seeds());
        table.writeChart(png, title);
        StringBuilder b = new StringBuilder();
        b.append("# Distillation table: ").append(options.variant().id()).append(" on synthetic COCO\n\n");
        b.append("- written ").append(Instant.now()).append("; ").append(NativeRuntime.describe()).append('\n');
        b.append("- options: ").append(options).append('\n');
        b.append("- teacher: ").append(TablePair.describe(pair.teacher())).append(", ").append(options.teacherIterations())
                .append(" iterations, seed ").append(options.teacherSeed()).append('\n');
        b.append("- student: ").append(TablePair.describe(pair.student())).append(", ").append(options.studentIterations())
                .append(" iterations per run, batch ").append(options.batch()).append('\n');
        b.append("- AP in percent on the validation split (COCO evaluator, top-100); mean ± sample std over seeds; ")
                .append("Δ = paired difference to the student alone at the same seed, mean ± std\n\n");
        b.append(table.markdown()).append('\n');
        b.append("Weighted loss per family (mean over the first / last tenth of each run's steps, averaged over seeds):\n\n");
        b.append(table.lossTable());
        String curves = TableCurves.read(options.out().resolve("runs"), rows, results).markdown();
        if (!curves.isEmpty()) {
            b.append("\nValidation AP during training (percent, mean over seeds; in brackets the paired difference to ")
                    .append("the student alone):\n\n").append(curves);
        }
        writeAtomically(md, b.toString());
        writeAtomically(md.resolveSibling("results.json"), TableRunResult.toJson(results));
        return table;
    }

    /** Generates the dataset unless {@code dir} holds a complete one of the same config. */
    static void ensureDataset(SyntheticCocoConfig synth, Path dir, PrintStream log) throws IOException {
        Path marker = dir.resolve("synthetic_coco.json");
        if (Files.isRegularFile(marker)) {
            JsonNode n = JSON.readTree(marker.toFile());
            if (n.path("complete").asBoolean(false) && synth.equals(SyntheticCocoConfig.fromJson(n.path("config").toString()))) {
                log.println("dataset: reusing " + dir);
                return;
            }
        }
        log.println("dataset: generating " + synth + " in " + dir);
        SyntheticCocoGenerator.generate(synth, dir, SyntheticCocoGenerator.defaultThreads());
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
