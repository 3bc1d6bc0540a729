package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoImageInfo;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.detrdistill.distill.DistillMethod;
import org.detrdistill.distill.DistillTermRegistry;
import org.detrdistill.distill.DistillationConfig;
import org.detrdistill.distill.TeacherSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code detr-distill demo}: the whole pipeline in one command. Generates the synthetic dataset ({@code <work>/data},
 * 4,000 + 100 images of 128x128 by default), trains a teacher ({@code <work>/runs/teacher}), then three copies of a
 * smaller student with the same budget: without distillation, with DETRDistill and with Teach-DETR
 * ({@code runs/student}, {@code runs/student-detrdistill}, {@code runs/student-teach-detr}); evaluates each on the
 * validation split, draws the detections of the teacher and of the best student ({@code <work>/predictions}) and
 * prints one AP table (also written to {@code <work>/demo.txt}). {@code --skip-distill} trains the teacher only.
 *
 * <p>The recipe ({@link DemoRecipe}) fixes the models, learning rate and the steps of each run; {@code --minutes}
 * caps the total time (the teacher gets {@link DemoRecipe#TEACHER_SHARE} of it, the students the rest in equal
 * parts), so a slow or busy machine stops each run early instead of taking longer. A previous demo's work folder is
 * replaced (only the folders and files the demo writes); any other non-empty folder is refused untouched.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = CliVersion.class, sortOptions = false,
        description = {"Generate the synthetic dataset, train a teacher, then a smaller student without distillation,",
                "with DETRDistill and with Teach-DETR; evaluate them, draw detections and print the AP table."},
        footer = {"", "Examples:", "  detr-distill demo                          # ./work/demo, the recipe's steps",
                "  detr-distill demo --minutes 8 --work /tmp/demo",
                "  detr-distill demo --skip-distill --teacher-steps 500"})
public final class DemoCommand implements Callable<Integer>, UsesNd4j {
    /** The summary file; its presence marks a folder as a demo's work folder. */
    static final String SUMMARY = "demo.txt";
    private static final Set<String> OWN = Set.of("data", "run", "runs", "predictions", SUMMARY);

    @Spec
    private CommandSpec spec;

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "work/demo",
            description = "Work folder: new, empty, or a previous demo's (replaced). Default ${DEFAULT-VALUE}.")
    private Path work;

    @Option(names = "--minutes", paramLabel = "M", description = "Total time budget in minutes, a cap on the steps "
            + "(default " + DemoRecipe.DEFAULT_MINUTES_TEXT + "; the teacher gets 40 %, each student 20 %).")
    private Double minutes;

    @Option(names = "--skip-distill", description = "Train and evaluate the teacher only (no students).")
    private boolean skipDistill;

    @Option(names = "--teacher-steps", paramLabel = "N", description = "The teacher's steps (default: the recipe's; 0 = until the time budget).")
    private Long teacherSteps;

    @Option(names = "--student-steps", paramLabel = "N", description = "Each student's steps (default: the recipe's; 0 = until the time budget).")
    private Long studentSteps;

    @Option(names = "--variant", paramLabel = "NAME", defaultValue = "conditional_detr",
            description = "Detector variant; its '<variant>_tiny' preset is the teacher (default ${DEFAULT-VALUE}).")
    private String variant;

    @Option(names = "--train", paramLabel = "N", defaultValue = DemoRecipe.DEFAULT_TRAIN_TEXT,
            description = "Training images (default ${DEFAULT-VALUE}).")
    private int trainImages;

    @Option(names = "--val", paramLabel = "N", defaultValue = DemoRecipe.DEFAULT_VAL_TEXT,
            description = "Validation images (default ${DEFAULT-VALUE}).")
    private int valImages;

    @Option(names = "--draw", paramLabel = "N", defaultValue = "8",
            description = "Validation images to draw the detections on (default ${DEFAULT-VALUE}).")
    private int draw;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of data and training (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--no-progress", description = "No progress bar; one line per epoch instead.")
    private boolean noProgress;

    /** Runs the demo; exit code 0. */
    @Override
    public Integer call() throws IOException {
        DemoRecipe recipe = DemoRecipe.forVariant(Variant.of(variant));
        double budget = minutes != null ? minutes : recipe.minutes();
        if (!(budget > 0) || Double.isInfinite(budget)) throw new IllegalArgumentException("--minutes must be positive, got " + budget);
        if (draw < 0) throw new IllegalArgumentException("--draw must be >= 0, got " + draw);
        if (valImages < 1) throw new IllegalArgumentException("--val must be >= 1: the demo evaluates on the validation split");
        long tSteps = steps(teacherSteps, recipe.teacherSteps(), "--teacher-steps");
        long sSteps = steps(studentSteps, recipe.studentSteps(), "--student-steps");
        prepareWorkFolder();
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        int stages = skipDistill ? 3 : 6;

        Path data = work.resolve("data"), runs = work.resolve("runs");
        SyntheticCocoConfig synth = SyntheticCocoConfig.builder().numTrainImages(trainImages).numValImages(valImages)
                .seed(seed).build();
        stage(err, 1, stages, String.format(Locale.ROOT, "generating %d + %d synthetic images in %s", trainImages, valImages, data));
        SyntheticCocoGenerator.generate(synth, data, SyntheticCocoGenerator.defaultThreads());
        CocoDataset train = CocoSplit.inDataDir(data, SyntheticSplit.TRAIN.dirName()).read();
        CocoDataset val = CocoSplit.inDataDir(data, SyntheticSplit.VAL.dirName()).read();
        int classes = train.categories().size();

        double teacherMinutes = skipDistill ? budget : budget * DemoRecipe.TEACHER_SHARE;
        double studentMinutes = (budget - teacherMinutes) / 3;
        List<DemoSummary.Row> rows = new ArrayList<>();
        DetectorConfig teacher = recipe.teacher(classes), student = recipe.student(classes);
        stage(err, 2, stages, "training the teacher " + describe(teacher, tSteps, teacherMinutes));
        rows.add(new DemoSummary.Row("teacher", runs.resolve("teacher"), TrainingSession.run(teacher, train, val,
                settings(recipe, tSteps, teacherMinutes), runs.resolve("teacher"), err)));
        if (!skipDistill) {
            stage(err, 3, stages, "training the student without distillation " + describe(student, sSteps, studentMinutes));
            rows.add(new DemoSummary.Row("student (no KD)", runs.resolve("student"), TrainingSession.run(student, train, val,
                    settings(recipe, sSteps, studentMinutes), runs.resolve("student"), err)));
            TeacherSpec teacherSpec = TeacherSpec.ofModel(runs.resolve("teacher"), recipe.scoreThreshold());
            DistillTermRegistry registry = DistillTermRegistry.standard();
            int stage = 4;
            for (DistillMethod m : List.of(DistillMethod.DETRDISTILL, DistillMethod.TEACH_DETR)) {
                String name = m == DistillMethod.DETRDISTILL ? "DETRDistill" : "Teach-DETR";
                Path run = runs.resolve("student-" + m.id());
                stage(err, stage++, stages, "training the student with " + name + " " + describe(student, sSteps, studentMinutes));
                DistillationConfig dc = m.config(List.of(teacherSpec), Map.of(), registry).orElseThrow();
                rows.add(new DemoSummary.Row("student + " + name, run, DistillCommand.run(student, train, val,
                        settings(recipe, sSteps, studentMinutes), run, err, dc, registry)));
            }
        }

        List<DemoSummary.Row> drawn = new ArrayList<>(List.of(rows.get(0)));
        rows.stream().skip(1).max(Comparator.comparingDouble(DemoCommand::ap)).ifPresent(drawn::add);
        List<Path> files = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (CocoImageInfo img : val.images().subList(0, Math.min(draw, val.size()))) {
            files.add(val.imageRoot().orElseThrow().resolve(img.fileName()));
            ids.add(img.id());
        }
        Path predictions = work.resolve("predictions");
        stage(err, stages, stages, String.format(Locale.ROOT, "drawing the detections on %d validation image(s) in %s",
                files.size(), predictions));
        if (!files.isEmpty()) {
            for (DemoSummary.Row r : drawn) {
                PredictCommand.write(r.outcome().detector(), files, ids.stream().mapToLong(Long::longValue).toArray(),
                        val.categories(), recipe.scoreThreshold(), 100, recipe.batchSize(), true,
                        predictions.resolve(r.run().getFileName()));
            }
        }
        String summary = DemoSummary.text(variant, trainImages, valImages, budget, teacherMinutes, studentMinutes,
                (System.nanoTime() - t0) / 1e9, rows,
                data, predictions, drawn.stream().map(r -> r.run().getFileName().toString()).toList(), files.size(), work);
        Files.writeString(work.resolve(SUMMARY), summary);
        PrintWriter out = spec.commandLine().getOut();
        out.print(summary);
        out.flush();
        return DetrDistillCli.EXIT_OK;
    }

    private static double ap(DemoSummary.Row r) {
        return r.outcome().evaluation() == null ? -1 : r.outcome().evaluation().stats().ap();
    }

    private static long steps(Long given, long recipe, String option) {
        if (given == null) return recipe;
        if (given < 0) throw new IllegalArgumentException(option + " must be >= 0 (0 = until the time budget), got " + given);
        return given;
    }

    private TrainingSession.Settings settings(DemoRecipe recipe, long steps, double minutes) {
        return new TrainingSession.Settings(recipe.trainer(steps, trainImages, seed), recipe.batchSize(), 1, false, minutes,
                !noProgress, false);
    }

    private static String describe(DetectorConfig c, long steps, double minutes) {
        return String.format(Locale.ROOT, "(d %d, %d queries, %d+%d layers, backbone stem %d, canvas %dx%d): %s, at most %.1f min",
                c.hiddenDim(), c.numQueries(), c.encoderLayers(), c.decoderLayers(), c.backbone().stemWidth(),
                c.inputWidth(), c.inputHeight(), steps > 0 ? steps + " steps" : "no step cap", minutes);
    }

    private static void stage(PrintWriter err, int k, int n, String what) {
        err.printf(Locale.ROOT, "%d/%d %s%n", k, n, what);
        err.flush();
    }

    /** New, empty or a previous demo's folder (its own parts are deleted); anything else is refused untouched. */
    private void prepareWorkFolder() throws IOException {
        if (Files.exists(work) && !Files.isDirectory(work)) {
            throw new IllegalArgumentException("--work " + work + " is a file, not a directory");
        }
        if (!Files.isDirectory(work)) {
            Files.createDirectories(work);
            return;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(work)) {
            entries = s.toList();
        }
        if (entries.isEmpty()) return;
        if (!Files.isRegularFile(work.resolve(SUMMARY))) {
            throw new IllegalArgumentException("--work " + work + " is not empty and not a previous demo's folder (no "
                    + SUMMARY + "): choose a new or empty folder");
        }
        for (Path p : entries) {
            if (OWN.contains(p.getFileName().toString())) deleteTree(p);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
