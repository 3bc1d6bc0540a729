package org.detrdistill.examples.cli;

import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.distill.DistillTermRegistry;
import org.detrdistill.distill.Distillation;
import org.detrdistill.distill.DistillationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code detr-distill distill}: trains a student detector with knowledge distillation from one or more teachers and
 * leaves the same training folder as {@code train} (checkpoints, {@code metrics.jsonl} with every weighted term,
 * curves, periodic evaluation and {@code best.zip}) plus {@value DistillOptions#SAVED}, the effective distillation
 * config. Prints the last evaluation's 12-line COCO table.
 *
 * <p>The student comes from {@link DetectorOptions} and trains with {@link TrainingOptions} exactly as {@code train}
 * (its number of classes is the dataset's); the teachers and terms from {@link DistillOptions}. Teacher and student
 * must share the canvas; width, depth, query count and variant may differ (a term that cannot handle the pair refuses
 * it with the reason, before anything is written). Results-file teachers' boxes live in the original image frame, so
 * with one of them the training augmentation is turned off (resize only), with a note. {@code --print-config} prints
 * the effective student, trainer and distillation configs as JSON and stops.
 */
@Command(name = "distill", mixinStandardHelpOptions = true, versionProvider = CliVersion.class, sortOptions = false,
        description = {"Train a student detector with knowledge distillation from one or more teachers",
                "(DETRDistill, Teach-DETR, FitNet, MGD). Same training folder and options as 'train'."},
        footer = {"", "Examples:",
                "  detr-distill distill --preset conditional_detr_tiny --set hiddenDim=32 \\",
                "      --data data/synth --teacher runs/teacher --out runs/student",
                "  detr-distill distill --config student.json --data data/synth \\",
                "      --teacher-results retina.json --method teach-detr --out runs/teach",
                "  detr-distill distill --config student.json --data data/synth \\",
                "      --teacher runs/teacher --term kd_logits=2 --term kd_relation=0 --print-config"})
public final class DistillCommand implements Callable<Integer>, UsesNd4j {
    @Spec
    private CommandSpec spec;

    @Mixin
    private DetectorOptions student;

    @Mixin
    private TrainingOptions training;

    @Mixin
    private DistillOptions distill;

    /** {@code --print-config} needs no ND4J. */
    @Override
    public boolean needsNd4j() { return !training.printConfig; }

    /** Distills and prints the result; exit code 0. */
    @Override
    public Integer call() throws IOException {
        TrainingOptions.Prepared run = training.prepare(student, "student");
        DetectorConfig config = run.config();
        TrainerConfig trainer = run.trainer();
        DistillTermRegistry registry = DistillTermRegistry.standard();
        Optional<DistillationConfig> dc = distill.config(training.resume ? training.out() : null, training.resume, registry);
        PrintWriter err = spec.commandLine().getErr();
        if (training.printConfig) {
            spec.commandLine().getOut().println(EffectiveConfig.json(config, trainer, dc.orElse(null), true));
            spec.commandLine().getOut().flush();
            return DetrDistillCli.EXIT_OK;
        }
        boolean augment = !training.noAugment;
        if (augment && dc.isPresent() && DistillOptions.usesResultsFile(dc.get())) {
            augment = false;
            err.println("note: training without augmentation: a results-file teacher's boxes only fit resized images");
        }
        if (dc.isEmpty() && (!distill.teachers.isEmpty() || !distill.teacherResults.isEmpty())) {
            err.println("note: no distillation term, so the teachers are not used: the student trains on the ground truth alone");
        }
        CocoDataset val = run.readVal();
        Path out = training.out();
        run.announce("student", val, out, err);
        TrainingSession.Settings settings = training.settings(trainer, augment);
        TrainingSession.Outcome o = dc.isEmpty() ? TrainingSession.run(config, run.train(), val, settings, out, err)
                : run(config, run.train(), val, settings, out, err, dc.get(), registry);
        TrainCommand.report(o, out, spec.commandLine().getOut(), err);
        return DetrDistillCli.EXIT_OK;
    }

    /**
     * One distillation run, as {@code distill} and {@code demo} do it: builds the distillation on the freshly built
     * student (teachers loaded, terms created; a pair a term refuses fails here, before anything is written), prints
     * the teachers and terms, writes {@value DistillOptions#SAVED} into {@code out}, trains, and closes the teachers.
     */
    static TrainingSession.Outcome run(DetectorConfig student, CocoDataset train, CocoDataset val,
                                       TrainingSession.Settings settings, Path out, PrintWriter err,
                                       DistillationConfig config, DistillTermRegistry registry) throws IOException {
        Distillation[] holder = new Distillation[1];
        try {
            return TrainingSession.run(student, train, val, settings, out, err, detector -> {
                holder[0] = Distillation.create(config, new DetectionObjective(detector), train,
                        MatcherConfig.deformableDetr(), registry);
                describe(holder[0], config, registry, err);
                save(config, out);
                return holder[0].objective();
            });
        } finally {
            if (holder[0] != null) holder[0].close();
        }
    }

    /** The teachers and weighted terms, one line each (stderr). */
    private static void describe(Distillation d, DistillationConfig c, DistillTermRegistry registry, PrintWriter err) {
        d.teachers().forEach(t -> err.println("teacher: " + t.describe()));
        err.println("terms: " + c.terms().keySet().stream()
                .map(n -> String.format(Locale.ROOT, "%s (λ %s)", n, trim(c.lambda(n, registry))))
                .collect(Collectors.joining(", ")));
        err.flush();
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** Writes the effective distillation config into the training folder (read back by --resume). */
    private static void save(DistillationConfig c, Path out) {
        try {
            Files.createDirectories(out);
            Path tmp = out.resolve(DistillOptions.SAVED + ".tmp");
            Files.writeString(tmp, c.toJson());
            Files.move(tmp, out.resolve(DistillOptions.SAVED), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
