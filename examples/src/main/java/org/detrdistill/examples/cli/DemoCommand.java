package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoImageInfo;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code detr-distill demo}: the whole pipeline on a laptop in a few minutes. Generates the synthetic dataset
 * ({@code <work>/data}, 300 + 60 images of 128x128 by default), trains the tiny preset of a variant
 * ({@code <work>/run}) within a time budget, evaluates it on the validation split, draws its detections on a few
 * validation images ({@code <work>/predictions}) and prints the AP table and where everything is (also written to
 * {@code <work>/demo.txt}).
 *
 * <p>The training recipe ({@link DemoRecipe}) was tuned on 2 CPU cores to reach a clearly non-zero AP within the
 * default budget. A previous demo's work folder is replaced (only the folders and files the demo writes); any other
 * non-empty folder is refused untouched.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = CliVersion.class, sortOptions = false,
        description = {"Generate the synthetic dataset, train a tiny detector for a few minutes, evaluate it and",
                "draw its detections: the whole pipeline in one command."},
        footer = {"", "Example:", "  detr-distill demo                       # ./work/demo, default budget",
                "  detr-distill demo --minutes 10 --work /tmp/demo"})
public final class DemoCommand implements Callable<Integer>, UsesNd4j {
    /** The summary file; its presence marks a folder as a demo's work folder. */
    static final String SUMMARY = "demo.txt";
    private static final Set<String> OWN = Set.of("data", "run", "predictions", SUMMARY);

    @Spec
    private CommandSpec spec;

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "work/demo",
            description = "Work folder: new, empty, or a previous demo's (replaced). Default ${DEFAULT-VALUE}.")
    private Path work;

    @Option(names = "--minutes", paramLabel = "M", description = "Training time budget in minutes (default: the recipe's, "
            + DemoRecipe.DEFAULT_MINUTES_TEXT + ").")
    private Double minutes;

    @Option(names = "--variant", paramLabel = "NAME", defaultValue = "conditional_detr",
            description = "Detector variant; its '<variant>_tiny' preset is trained (default ${DEFAULT-VALUE}).")
    private String variant;

    @Option(names = "--train", paramLabel = "N", defaultValue = "300", description = "Training images (default ${DEFAULT-VALUE}).")
    private int trainImages;

    @Option(names = "--val", paramLabel = "N", defaultValue = "60", description = "Validation images (default ${DEFAULT-VALUE}).")
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
        prepareWorkFolder();
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();

        Path data = work.resolve("data"), run = work.resolve("run"), predictions = work.resolve("predictions");
        SyntheticCocoConfig synth = SyntheticCocoConfig.builder().numTrainImages(trainImages).numValImages(valImages)
                .seed(seed).build();
        err.printf(Locale.ROOT, "1/3 generating %d + %d synthetic images in %s%n", trainImages, valImages, data);
        err.flush();
        SyntheticCocoGenerator.generate(synth, data, SyntheticCocoGenerator.defaultThreads());
        CocoDataset train = CocoSplit.inDataDir(data, SyntheticSplit.TRAIN.dirName()).read();
        CocoDataset val = CocoSplit.inDataDir(data, SyntheticSplit.VAL.dirName()).read();

        DetectorConfig config = recipe.detector(train.categories().size());
        TrainerConfig trainer = recipe.trainer(seed);
        err.printf(Locale.ROOT, "2/3 training %s (d %d, %d queries, %d+%d layers, canvas %dx%d) for %.1f min in %s%n",
                recipe.preset(), config.hiddenDim(), config.numQueries(), config.encoderLayers(), config.decoderLayers(),
                config.inputWidth(), config.inputHeight(), budget, run);
        err.flush();
        TrainingSession.Outcome o = TrainingSession.run(config, train, val, new TrainingSession.Settings(trainer,
                recipe.batchSize(), 1, recipe.augment(), budget, !noProgress, false), run, err);

        List<Path> files = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (CocoImageInfo img : val.images().subList(0, Math.min(draw, val.size()))) {
            files.add(val.imageRoot().orElseThrow().resolve(img.fileName()));
            ids.add(img.id());
        }
        err.printf(Locale.ROOT, "3/3 drawing the detections on %d validation image(s) in %s%n", files.size(), predictions);
        err.flush();
        if (!files.isEmpty()) {
            PredictCommand.write(o.detector(), files, ids.stream().mapToLong(Long::longValue).toArray(), val.categories(),
                    recipe.scoreThreshold(), 100, recipe.batchSize(), true, predictions);
        }
        String summary = summary(o, budget, (System.nanoTime() - t0) / 1e9, data, run, predictions, files.size());
        Files.writeString(work.resolve(SUMMARY), summary);
        PrintWriter out = spec.commandLine().getOut();
        out.print(summary);
        out.flush();
        return DetrDistillCli.EXIT_OK;
    }

    private String summary(TrainingSession.Outcome o, double budget, double seconds, Path data, Path run, Path predictions,
                           int drawn) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "detr-distill demo: %s, %d steps in %.0f s of training (%.2f it/s, budget %.1f min), "
                + "%.0f s in all%n", variant, o.steps(), o.seconds(), o.itPerSec(), budget, seconds));
        if (o.evaluation() != null) {
            b.append(String.format(Locale.ROOT, "COCO evaluation on %d validation images:%n", o.evaluation().imageCount()));
            b.append(o.evaluation().summary());
        }
        b.append(String.format(Locale.ROOT, "dataset:      %s%n", data));
        b.append(String.format(Locale.ROOT, "checkpoints:  %s (best.zip, last.zip, detector.json, categories.json)%n", run));
        b.append(String.format(Locale.ROOT, "curves:       %s, %s; metrics: %s%n", run.resolve(TrainingSession.LOSS_PNG),
                run.resolve(TrainingSession.AP_PNG), run.resolve(TrainingSession.METRICS)));
        if (drawn > 0) {
            b.append(String.format(Locale.ROOT, "predictions:  %s (%d PNGs, %s)%n", predictions, drawn, PredictCommand.RESULTS));
        }
        b.append(String.format(Locale.ROOT, "next:         detr-distill eval --checkpoint %s --data %s%n", run, data));
        b.append(String.format(Locale.ROOT, "              detr-distill predict --checkpoint %s --images %s --out %s%n", run,
                data.resolve("val"), work.resolve("my-predictions")));
        return b.toString();
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
