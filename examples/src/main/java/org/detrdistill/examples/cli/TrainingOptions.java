package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.CheckpointStore;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.datasets.coco.CocoDataset;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The training options shared by {@code train} and {@code distill} (a picocli mixin): the data ({@link DataOptions}),
 * the training folder ({@code --out}, {@code --resume}), the budget ({@code --epochs}, {@code --max-iterations},
 * {@code --minutes}), the optimisation ({@code --batch-size}, {@code --lr}, {@code --lr-drop}, {@code --seed},
 * {@code --no-augment}),
 * evaluation ({@code --eval-every}: COCO AP on the validation split, {@code best.zip} by AP), the display
 * ({@code --no-progress}) and {@code --print-config} (print the effective configuration and stop).
 */
final class TrainingOptions {
    @Mixin
    DataOptions data;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "Training folder (required): new or empty, or a previous run to continue with --resume.")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "50", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "0",
            description = "Stop after N steps in total, even mid-epoch (default 0 = no cap).")
    long maxIterations;

    @Option(names = "--minutes", paramLabel = "M",
            description = "Time budget: stop gracefully (evaluate, save) after M minutes of training.")
    Double minutes;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "4", description = "Images per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Base learning rate (default: the variant's, e.g. 1e-4).")
    Double lr;

    @Option(names = "--lr-drop", paramLabel = "EPOCH", split = ",",
            description = "Multiply the learning rate by 0.1 after these epochs (DETR's lr_drop; comma-separated).")
    int[] lrDrop = new int[0];

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
            description = "Image loading threads (default ${DEFAULT-VALUE}; 0 = in the training thread).")
    int workers;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the initialisation, data order and augmentation (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "1",
            description = "Evaluate every N epochs and after the last; best.zip keeps the best AP (default ${DEFAULT-VALUE}; 0 = never).")
    int evalEvery;

    @Option(names = "--no-augment", description = "Train without DETR's flip/multi-scale/crop augmentation.")
    boolean noAugment;

    @Option(names = "--resume", description = "Continue the run in --out from its last.zip.")
    boolean resume;

    @Option(names = "--no-progress", description = "No progress bar; one line per epoch instead.")
    boolean noProgress;

    @Option(names = "--print-config", description = "Print the effective configuration as JSON and stop (nothing is trained or written).")
    boolean printConfig;

    /**
     * The output folder.
     *
     * @throws IllegalArgumentException when {@code --out} is missing
     */
    Path out() {
        if (out == null) throw new IllegalArgumentException("missing option --out DIR (the training folder)");
        return out;
    }

    /**
     * The detector to train: the detector options (or, resuming without them, the run's {@code detector.json}) with
     * the overrides, and {@code numClasses} set to the dataset's category count.
     *
     * @param what names the model in the error when none is given, e.g. {@code detector} or {@code student}
     */
    DetectorConfig detectorConfig(DetectorOptions detector, int classes, String what) throws IOException {
        Path saved = resume && !detector.hasStart() ? out().resolve("detector.json") : null;
        Path fallback = saved != null && Files.isRegularFile(saved) ? saved : null;
        DetectorConfig c = detector.resolve(fallback, "no " + what + ": give --preset NAME, --config FILE or --variant NAME");
        return detector.withClasses(c, classes);
    }

    /** The trainer settings of these options for {@code variant}; evaluation only when there is a validation split. */
    TrainerConfig trainerConfig(Variant variant, boolean hasValidation) {
        TrainerConfig.Builder tb = TrainerConfig.builder(variant).epochs(epochs).maxIterations(maxIterations)
                .evalEveryEpochs(hasValidation ? evalEvery : 0).seed(seed);
        if (lr != null) tb.lr(lr);
        for (int e : lrDrop) {
            if (e < 1) throw new IllegalArgumentException("--lr-drop epochs must be >= 1, got " + e);
        }
        return tb.lrDropEpochs(lrDrop).build();
    }

    /** The session settings; {@code augment} is the caller's decision (e.g. off for results-file teachers). */
    TrainingSession.Settings settings(TrainerConfig trainer, boolean augment) {
        return new TrainingSession.Settings(trainer, batchSize, workers, augment, minutes, !noProgress, resume);
    }

    /**
     * What {@code train} and {@code distill} settle before anything runs: the output folder checked (unless only the
     * configuration is printed), the training split read, the detector and trainer configurations.
     *
     * @param what names the model in messages, e.g. {@code detector} or {@code student}
     */
    Prepared prepare(DetectorOptions detector, String what) throws IOException {
        if (!printConfig) checkOutputFolder();
        CocoDataset train = data.train().read();
        CocoSplit valSplit = data.val();
        DetectorConfig config = detectorConfig(detector, train.categories().size(), what);
        return new Prepared(train, valSplit, config, trainerConfig(config.variant(), valSplit != null));
    }

    /**
     * The training split, the validation split (null when there is none), the detector and the trainer settings of one
     * run.
     */
    record Prepared(CocoDataset train, CocoSplit valSplit, DetectorConfig config, TrainerConfig trainer) {
        /** The validation images, read now, or null. */
        CocoDataset readVal() throws IOException { return valSplit == null ? null : valSplit.read(); }

        /** Prints what is trained on what, and where it goes: {@code <what> <variant>: d .., queries, layers, ...}. */
        void announce(String what, CocoDataset val, Path out, PrintWriter err) {
            err.printf(Locale.ROOT, "%s %s: d %d, %d queries, %d+%d layers, canvas %dx%d, %d classes%n", what,
                    config.variant(), config.hiddenDim(), config.numQueries(), config.encoderLayers(), config.decoderLayers(),
                    config.inputWidth(), config.inputHeight(), config.numClasses());
            err.printf(Locale.ROOT, "data: %d training images%s; output: %s%n", train.size(),
                    val == null ? ", no validation set" : ", " + val.size() + " validation images", out);
            err.flush();
        }
    }

    /** A run folder is continued only with --resume; anything else non-empty is refused untouched. */
    void checkOutputFolder() throws IOException {
        Path dir = out();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a directory");
        }
        boolean hasRun = Files.isRegularFile(dir.resolve(CheckpointStore.LAST + ".zip"));
        if (resume && !hasRun) {
            throw new IllegalArgumentException("--resume: " + dir + " holds no training run (no last.zip)");
        }
        if (!resume && Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + dir + (hasRun
                            ? " already holds a training run: add --resume to continue it, or choose another folder"
                            : " is not empty: choose a new or empty folder"));
                }
            }
        }
    }
}
