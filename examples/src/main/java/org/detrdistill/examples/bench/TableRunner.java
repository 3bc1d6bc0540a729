package org.detrdistill.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.train.CanvasData;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.DetectorEvaluator;
import org.detrdistill.core.train.DetectorTrainer;
import org.detrdistill.core.train.JsonLinesMetrics;
import org.detrdistill.core.train.NonFiniteGuard;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.TrainingListener;
import org.detrdistill.core.train.TrainingObjective;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.detrdistill.datasets.eval.CocoStats;
import org.detrdistill.distill.DistillTermRegistry;
import org.detrdistill.distill.Distillation;
import org.detrdistill.distill.TeacherSpec;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Trains and evaluates the runs of the distillation table: the teacher once, then each (row, seed) of the students,
 * every student with the same budget, batch, schedule and seed. Each run lives in its own folder with the trainer's
 * files ({@code last.zip}, {@code detector.json}, {@code trainer.json}), {@code metrics.jsonl} (every step's weighted
 * and unweighted loss terms), {@code settings.json} (everything the run depends on) and, when it finished,
 * {@code result.json}. A run whose {@code result.json} holds the same settings is not trained again.
 *
 * <p>The teacher is the exception to "rerun on change": a teacher folder with other settings is refused (it is the
 * most expensive run; delete it or choose another output folder), and an interrupted teacher resumes from its
 * {@code last.zip}.
 */
final class TableRunner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TableOptions options;
    private final CocoDataset train;
    private final CocoDataset val;
    private final TablePair pair;
    private final String dataSettings;
    private final DistillTermRegistry registry;
    private final PrintStream log;
    private long itersPerEpoch;

    /**
     * @param dataSettings the synthetic dataset's config as JSON (part of every run's settings)
     */
    TableRunner(TableOptions options, CocoDataset train, CocoDataset val, TablePair pair, String dataSettings,
                DistillTermRegistry registry, PrintStream log) {
        this.options = options;
        this.train = train;
        this.val = val;
        this.pair = pair;
        this.dataSettings = dataSettings;
        this.registry = registry;
        this.log = log;
    }

    /** Folder of the teacher. */
    Path teacherDir() { return options.out().resolve("teacher"); }

    /** The teacher's checkpoint (valid after {@link #teacher()}). */
    Path teacherCheckpoint() { return teacherDir().resolve("last.zip"); }

    /** Folder of one student run. */
    Path runDir(TableRow row, long seed) { return options.out().resolve("runs").resolve(row.key()).resolve("seed-" + seed); }

    /**
     * Trains the teacher, or resumes it, or reuses its result.
     *
     * @throws IllegalArgumentException if the teacher folder holds a teacher trained with other settings
     */
    TableRunResult teacher() throws IOException {
        Path dir = teacherDir();
        String settings = teacherSettings();
        Path result = dir.resolve("result.json"), settingsFile = dir.resolve("settings.json");
        if (Files.isRegularFile(result)) {
            TableRunResult r = TableRunResult.read(result);
            if (r.settings().equals(settings) && Files.isRegularFile(teacherCheckpoint())) {
                log.println("teacher: reusing " + dir + " (AP " + percent(r.ap()) + ")");
                return r;
            }
        }
        if (Files.isRegularFile(settingsFile) && !Files.readString(settingsFile).equals(settings)) {
            throw new IllegalArgumentException(dir + " holds a teacher trained with other settings (see its settings.json): "
                    + "delete it to train a new one, or choose another --out");
        }
        Files.createDirectories(dir);
        Files.writeString(settingsFile, settings);
        boolean resume = Files.isRegularFile(teacherCheckpoint());
        log.println("teacher: " + (resume ? "resuming" : "training") + " " + TablePair.describe(pair.teacher()) + " for "
                + options.teacherIterations() + " iterations in " + dir);
        DetectorGraph graph = Detectors.build(pair.teacher(), DataType.FLOAT, options.teacherSeed());
        TableRunResult r = train(new DetectionObjective(graph), "teacher", options.teacherSeed(), options.teacherIterations(),
                List.of(), dir, resume, settings);
        r.write(result);
        return r;
    }

    /**
     * Trains one student row at one seed (or reuses its result). A row naming a term the registry does not hold gives
     * an {@code n/a} result; a run that fails gives a {@code failed: ...} result (neither is saved, so they run again).
     */
    TableRunResult student(TableRow row, long seed) throws IOException {
        List<String> missing = row.missingTerms(registry);
        String settings = studentSettings(row, seed);
        if (!missing.isEmpty()) {
            return TableRunResult.without(row.key(), seed, "n/a (term not registered: " + String.join(", ", missing) + ")", settings);
        }
        Path dir = runDir(row, seed), result = dir.resolve("result.json");
        if (Files.isRegularFile(result)) {
            TableRunResult r = TableRunResult.read(result);
            if (r.settings().equals(settings)) {
                log.printf(Locale.ROOT, "%s seed %d: reusing %s (AP %s)%n", row.key(), seed, dir, percent(r.ap()));
                return r;
            }
            log.printf(Locale.ROOT, "%s seed %d: settings changed, training again%n", row.key(), seed);
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("settings.json"), settings);
        log.printf(Locale.ROOT, "%s seed %d: training (%s) for %d iterations in %s%n", row.key(), seed, row.describeTerms(),
                options.studentIterations(), dir);
        DetectorGraph graph = Detectors.build(pair.student(), DataType.FLOAT, seed);
        DetectionObjective detection = new DetectionObjective(graph);
        try {
            TableRunResult r;
            if (row.isBaseline()) {
                r = train(detection, row.key(), seed, options.studentIterations(), List.of(), dir, false, settings);
            } else {
                try (Distillation d = Distillation.create(row.config(TeacherSpec.checkpoint(teacherCheckpoint())), detection,
                        train, MatcherConfig.deformableDetr(), registry)) {
                    r = train(d.objective(), row.key(), seed, options.studentIterations(), List.copyOf(row.terms().keySet()),
                            dir, false, settings);
                }
            }
            r.write(result);
            return r;
        } catch (RuntimeException e) {
            log.printf(Locale.ROOT, "%s seed %d: FAILED: %s%n", row.key(), seed, e);
            return TableRunResult.without(row.key(), seed, "failed: " + e.getMessage(), settings);
        }
    }

    /** Trains {@code objective} for {@code iterations} steps into {@code dir}, then evaluates on the validation split. */
    private TableRunResult train(TrainingObjective objective, String row, long seed, long iterations, List<String> terms,
                                 Path dir, boolean resume, String settings) throws IOException {
        DetectorConfig config = objective.detector().config();
        LoaderConfig loader = LoaderConfig.builder().batchSize(options.batch()).workers(0).seed(seed).build();
        TableStepStats stats = new TableStepStats(terms, log, row + " seed " + seed, iterations);
        DetectorEvaluator evaluator = CanvasData.evaluator(val, config, options.batch(), 0, 100);
        Clocks.Reading t0, t1;
        CocoEvaluation last;
        try (CocoDetectionIterator batches = CanvasData.trainBatches(train, config, loader, false);
             JsonLinesMetrics metrics = new JsonLinesMetrics(dir.resolve("metrics.jsonl"))) {
            TrainerConfig trainer = trainerConfig(seed, iterations, batches.batchesPerEpoch());
            List<TrainingListener> listeners = List.of(new NonFiniteGuard(), metrics, stats);
            DetectorTrainer t = new DetectorTrainer(objective, trainer, dir, listeners);
            t0 = Clocks.now();
            t.fit(batches, evaluator, resume);
            t1 = Clocks.now();
            last = t.lastEvaluation();
        }
        if (last == null) last = evaluator.evaluate(objective.detector());   // a finished teacher that was only reloaded
        CocoStats s = last.stats();
        Clocks.Reading e = stats.evaluationTime();
        TableRunResult r = new TableRunResult(row, seed, TableRunResult.OK, s.ap(), s.ap50(), s.ap75(), stats.steps(),
                (t1.wall() - t0.wall() - e.wall()) / 1e9, (t1.threadCpu() - t0.threadCpu() - e.threadCpu()) / 1e9,
                (t1.processCpu() - t0.processCpu() - e.processCpu()) / 1e9, stats.medianStepCpuMs(),
                stats.meansOfFirstTenth(), stats.meansOfLastTenth(), settings);
        log.printf(Locale.ROOT, "%s seed %d: AP %s AP50 %s AP75 %s, %d steps, %.1f min wall, %.1f min CPU, %.0f ms/step%n",
                row, seed, percent(r.ap()), percent(r.ap50()), percent(r.ap75()), r.steps(), r.wallSeconds() / 60,
                r.threadCpuSeconds() / 60, r.stepCpuMs());
        return r;
    }

    /**
     * The schedule of every run: the variant's reference optimiser settings, {@code iterations} steps, the learning
     * rate ×0.1 after the epoch nearest to {@code lrDrop} of the budget, evaluation every {@code evalEvery} epochs
     * and after the last.
     */
    TrainerConfig trainerConfig(long seed, long iterations, long itersPerEpoch) {
        int epochs = (int) Math.max(1, (iterations + itersPerEpoch - 1) / itersPerEpoch);
        TrainerConfig.Builder b = TrainerConfig.builder(pair.student().variant()).epochs(epochs).maxIterations(iterations)
                .evalEveryEpochs(options.evalEvery() == 0 ? epochs : options.evalEvery()).seed(seed);
        if (options.lr() > 0) b.lr(options.lr());
        int drop = (int) Math.round(options.lrDrop() * iterations / itersPerEpoch);
        if (options.lrDrop() > 0 && drop >= 1 && drop < epochs) b.lrDropEpochs(drop);
        return b.build();
    }

    private String teacherSettings() {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", "teacher");
        o.set("detector", tree(pair.teacher().toJson()));
        o.set("trainer", tree(trainerConfig(options.teacherSeed(), options.teacherIterations(), itersPerEpoch()).toJson()));
        o.put("batch", options.batch());
        o.set("data", tree(dataSettings));
        return o.toPrettyString();
    }

    private String studentSettings(TableRow row, long seed) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", "student");
        o.put("row", row.key());
        ObjectNode terms = o.putObject("terms");
        row.terms().forEach(terms::put);
        o.set("detector", tree(pair.student().toJson()));
        o.set("trainer", tree(trainerConfig(seed, options.studentIterations(), itersPerEpoch()).toJson()));
        o.put("batch", options.batch());
        o.set("data", tree(dataSettings));
        if (!row.isBaseline()) o.set("teacher", tree(teacherSettings()));
        return o.toPrettyString();
    }

    private long itersPerEpoch() {
        if (itersPerEpoch == 0) {
            LoaderConfig loader = LoaderConfig.builder().batchSize(options.batch()).workers(0).build();
            try (CocoDetectionIterator it = CanvasData.trainBatches(train, pair.student(), loader, false)) {
                itersPerEpoch = it.batchesPerEpoch();
            }
        }
        return itersPerEpoch;
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String percent(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
