package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.train.CheckpointStore;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code detr-distill train}: trains a detector on a COCO dataset and leaves a training folder ({@code --out}) with
 * {@code last.zip} and {@code best.zip} (checkpoints), {@code detector.json}, {@code trainer.json},
 * {@code categories.json}, {@code metrics.jsonl}, {@code loss.png} and {@code ap.png}; prints the last evaluation's
 * 12-line COCO table.
 *
 * <p>The detector comes from {@code --preset NAME} or {@code --config FILE}, with {@code --set KEY=VALUE} overrides
 * (as {@code config}); its number of classes is set from the dataset's categories. Images are resized to fit the
 * detector's canvas and padded to it ({@code CanvasData}). An {@code --out} folder that already holds a run is only
 * continued with {@code --resume} (then the model options may be left out: {@code detector.json} is used). A
 * non-finite loss or gradient stops training with one line and exit code 1; the last checkpoint is kept.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = CliVersion.class, sortOptions = false,
        description = {"Train a detector on a COCO dataset (checkpoints, metrics.jsonl, loss.png, ap.png in --out).",
                "Prints the final COCO AP table."},
        footer = {"", "Examples:",
                "  detr-distill train --preset conditional_detr_tiny --data data/synth --out runs/tiny --epochs 20",
                "  detr-distill train --out runs/tiny --data data/synth --epochs 40 --resume"})
public final class TrainCommand implements Callable<Integer>, UsesNd4j {

    /** The detector: a preset or a config file. */
    static final class Model {
        @Option(names = "--preset", paramLabel = "NAME", description = "A named detector config, e.g. conditional_detr_tiny.")
        String preset;

        @Option(names = "--config", paramLabel = "FILE", description = "A detector config JSON file (see 'config').")
        Path config;
    }

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private Model model;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a detector config field (dotted keys for nested ones). Repeatable.")
    private List<String> overrides = new ArrayList<>();

    @Mixin
    private DataOptions data;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Training folder: new or empty, or a previous run to continue with --resume.")
    private Path out;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "50", description = "Epochs (default ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "0",
            description = "Stop after N steps in total, even mid-epoch (default 0 = no cap).")
    private long maxIterations;

    @Option(names = "--minutes", paramLabel = "M",
            description = "Time budget: stop gracefully (evaluate, save) after M minutes of training.")
    private Double minutes;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "4", description = "Images per step (default ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Base learning rate (default: the variant's, e.g. 1e-4).")
    private Double lr;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
            description = "Image loading threads (default ${DEFAULT-VALUE}; 0 = in the training thread).")
    private int workers;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the initialisation, data order and augmentation (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "1",
            description = "Evaluate every N epochs and after the last (default ${DEFAULT-VALUE}; 0 = never).")
    private int evalEvery;

    @Option(names = "--no-augment", description = "Train without DETR's flip/multi-scale/crop augmentation.")
    private boolean noAugment;

    @Option(names = "--resume", description = "Continue the run in --out from its last.zip.")
    private boolean resume;

    @Option(names = "--no-progress", description = "No progress bar; one line per epoch instead.")
    private boolean noProgress;

    /** Trains and prints the result; exit code 0. */
    @Override
    public Integer call() throws IOException {
        checkOutputFolder();
        CocoDataset train = data.train().read();
        CocoDataset val = data.val() == null ? null : data.val().read();
        DetectorConfig config = detectorConfig(train.categories().size());
        TrainerConfig.Builder tb = TrainerConfig.builder(config.variant()).epochs(epochs).maxIterations(maxIterations)
                .evalEveryEpochs(val == null ? 0 : evalEvery).seed(seed);
        if (lr != null) tb.lr(lr);
        TrainingSession.Settings settings = new TrainingSession.Settings(tb.build(), batchSize, workers, !noAugment,
                minutes, !noProgress, resume);

        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "training %s: d %d, %d queries, %d+%d layers, canvas %dx%d, %d classes%n",
                config.variant(), config.hiddenDim(), config.numQueries(), config.encoderLayers(), config.decoderLayers(),
                config.inputWidth(), config.inputHeight(), config.numClasses());
        err.printf(Locale.ROOT, "data: %d training images%s; output: %s%n", train.size(),
                val == null ? ", no validation set" : ", " + val.size() + " validation images", out);
        err.flush();
        TrainingSession.Outcome o = TrainingSession.run(config, train, val, settings, out, err);
        report(o, spec.commandLine().getOut(), err);
        return DetrDistillCli.EXIT_OK;
    }

    /** Prints the final table (stdout) and where things are (stderr). */
    private void report(TrainingSession.Outcome o, PrintWriter stdout, PrintWriter err) {
        err.printf(Locale.ROOT, "%s after %d step(s) in %.0f s (%.2f it/s); now at epoch %d, step %d%n",
                o.stoppedByTime() ? "stopped by the time budget" : "finished", o.steps(), o.seconds(), o.itPerSec(),
                o.state().epoch(), o.state().step());
        err.println("wrote " + out.resolve("last.zip") + (Files.exists(out.resolve("best.zip")) ? ", best.zip" : "")
                + ", " + TrainingSession.METRICS + ", " + TrainingSession.LOSS_PNG
                + (o.evaluation() != null ? ", " + TrainingSession.AP_PNG : ""));
        err.flush();
        if (o.evaluation() != null) {
            stdout.print(o.evaluation().summary());
            stdout.flush();
        }
    }

    /**
     * The detector to train: the model options (or, resuming without them, the run's {@code detector.json}) with the
     * overrides, and {@code numClasses} set to the dataset's category count.
     */
    private DetectorConfig detectorConfig(int classes) throws IOException {
        DetectorConfig start;
        String source;
        if (model != null && model.config != null) {
            start = DetectorConfig.read(CliFiles.requireFile(model.config, "--config"));
            source = model.config.toString();
        } else if (model != null) {
            start = DetectorConfigs.preset(model.preset);
            source = "--preset " + model.preset;
        } else if (resume && Files.isRegularFile(out.resolve("detector.json"))) {
            start = DetectorConfig.read(out.resolve("detector.json"));
            source = out.resolve("detector.json").toString();
        } else {
            throw new IllegalArgumentException("no detector: give --preset NAME or --config FILE");
        }
        DetectorConfig c = DetectorConfigs.withOverrides(start, source, overrides);
        if (c.numClasses() == classes) return c;
        if (DetectorConfigs.overrides(overrides, "numClasses")) {
            throw new IllegalArgumentException("--set numClasses=" + c.numClasses() + " but the training set has "
                    + classes + " categories");
        }
        return c.toBuilder().numClasses(classes).build();
    }

    /** A run folder is continued only with --resume; anything else non-empty is refused untouched. */
    private void checkOutputFolder() throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a directory");
        }
        boolean hasRun = Files.isRegularFile(out.resolve(CheckpointStore.LAST + ".zip"));
        if (resume && !hasRun) {
            throw new IllegalArgumentException("--resume: " + out + " holds no training run (no last.zip)");
        }
        if (!resume && Files.isDirectory(out)) {
            try (Stream<Path> files = Files.list(out)) {
                if (files.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + out + (hasRun
                            ? " already holds a training run: add --resume to continue it, or choose another folder"
                            : " is not empty: choose a new or empty folder"));
                }
            }
        }
    }
}
