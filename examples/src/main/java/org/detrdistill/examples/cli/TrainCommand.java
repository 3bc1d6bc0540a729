package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code detr-distill train}: trains a detector on a COCO dataset and leaves a training folder ({@code --out}) with
 * {@code last.zip} and {@code best.zip} (checkpoints), {@code detector.json}, {@code trainer.json},
 * {@code categories.json}, {@code metrics.jsonl}, {@code loss.png} and {@code ap.png}; prints the last evaluation's
 * 12-line COCO table.
 *
 * <p>The detector comes from {@code --preset NAME}, {@code --config FILE} or {@code --variant NAME}, with
 * {@code --set KEY=VALUE} overrides ({@link DetectorOptions}, as {@code config}); its number of classes is set from the
 * dataset's categories. The training options ({@link TrainingOptions}) are shared with {@code distill};
 * {@code --print-config} prints the effective detector and trainer configs as JSON and stops. Images are resized to fit the
 * detector's canvas and padded to it ({@code CanvasData}). An {@code --out} folder that already holds a run is only
 * continued with {@code --resume} (then the model options may be left out: {@code detector.json} is used). A
 * non-finite loss or gradient stops training with one line and exit code 1; the last checkpoint is kept.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = CliVersion.class, sortOptions = false,
        description = {"Train a detector on a COCO dataset (checkpoints, metrics.jsonl, loss.png, ap.png in --out).",
                "Prints the final COCO AP table."},
        footer = {"", "Examples:",
                "  detr-distill train --preset conditional_detr_tiny --data data/synth \\",
                "      --out runs/tiny --epochs 20",
                "  detr-distill train --out runs/tiny --data data/synth --epochs 40 --resume",
                "  detr-distill train --preset conditional_detr_tiny --data data/synth --print-config"})
public final class TrainCommand implements Callable<Integer>, UsesNd4j {
    @Spec
    private CommandSpec spec;

    @Mixin
    private DetectorOptions detector;

    @Mixin
    private TrainingOptions training;

    /** {@code --print-config} needs no ND4J. */
    @Override
    public boolean needsNd4j() { return !training.printConfig; }

    /** Trains and prints the result; exit code 0. */
    @Override
    public Integer call() throws IOException {
        TrainingOptions.Prepared run = training.prepare(detector, "detector");
        if (training.printConfig) {
            spec.commandLine().getOut().println(EffectiveConfig.json(run.config(), run.trainer(), null, false));
            spec.commandLine().getOut().flush();
            return DetrDistillCli.EXIT_OK;
        }
        CocoDataset val = run.readVal();
        Path out = training.out();
        PrintWriter err = spec.commandLine().getErr();
        run.announce("training", val, out, err);
        TrainingSession.Outcome o = TrainingSession.run(run.config(), run.train(), val,
                training.settings(run.trainer(), !training.noAugment), out, err);
        report(o, out, spec.commandLine().getOut(), err);
        return DetrDistillCli.EXIT_OK;
    }

    /** Prints the final table (stdout) and where things are (stderr). */
    static void report(TrainingSession.Outcome o, Path out, PrintWriter stdout, PrintWriter err) {
        err.printf(Locale.ROOT, "%s after %d step(s) in %.0f s (%.2f it/s, %.0f s CPU); now at epoch %d, step %d%n",
                o.stoppedByTime() ? "stopped by the time budget" : "finished", o.steps(), o.seconds(), o.itPerSec(),
                o.cpuSeconds(), o.state().epoch(), o.state().step());
        err.println("wrote " + out.resolve("last.zip") + (Files.exists(out.resolve("best.zip")) ? ", best.zip" : "")
                + ", " + TrainingSession.METRICS + ", " + TrainingSession.LOSS_PNG
                + (o.evaluation() != null ? ", " + TrainingSession.AP_PNG : ""));
        err.flush();
        if (o.evaluation() != null) {
            stdout.print(o.evaluation().summary());
            stdout.flush();
        }
    }
}
