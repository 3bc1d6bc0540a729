package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.train.CanvasData;
import org.detrdistill.core.train.ConsoleProgress;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.DetectorEvaluator;
import org.detrdistill.core.train.DetectorTrainer;
import org.detrdistill.core.train.JsonLinesMetrics;
import org.detrdistill.core.train.NonFiniteGuard;
import org.detrdistill.core.train.StepMetrics;
import org.detrdistill.core.train.TimeBudget;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.TrainingCurves;
import org.detrdistill.core.train.TrainingListener;
import org.detrdistill.core.train.TrainingObjective;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One training run as {@code train}, {@code distill} and {@code demo} do it: builds the detector and its training
 * objective (plain detection, or detection + distillation terms), writes {@code categories.json}, attaches the
 * listeners (progress bar or per-epoch lines, {@code metrics.jsonl}, {@code loss.png}/{@code ap.png}, the non-finite
 * guard, an optional time budget) and runs {@link DetectorTrainer#fit}. Everything it does is library calls; this
 * class only wires them.
 */
final class TrainingSession {
    /** File names inside the output folder. */
    static final String METRICS = "metrics.jsonl", LOSS_PNG = "loss.png", AP_PNG = "ap.png";

    private TrainingSession() {}

    /** Makes the training objective of the freshly built detector (e.g. {@code DetectionObjective::new}). */
    @FunctionalInterface
    interface Objectives {
        TrainingObjective create(DetectorGraph detector);
    }

    /**
     * How to train.
     *
     * @param trainer     epochs, iterations, lr, evaluation interval, seed
     * @param batchSize   images per step
     * @param workers     loader threads
     * @param augment     DETR's training augmentation (else the evaluation resize only)
     * @param minutes     time budget in minutes, or null for none
     * @param progressBar draw the interactive bar (when stderr is a console); else one line per epoch
     * @param resume      continue from {@code last.zip} in the output folder
     */
    record Settings(TrainerConfig trainer, int batchSize, int workers, boolean augment, Double minutes,
                    boolean progressBar, boolean resume) {
        Settings {
            Objects.requireNonNull(trainer, "trainer");
            if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
            if (workers < 0) throw new IllegalArgumentException("--workers must be >= 0, got " + workers);
            if (minutes != null && !(minutes > 0 && Double.isFinite(minutes))) {
                throw new IllegalArgumentException("--minutes must be a positive number, got " + minutes);
            }
        }
    }

    /**
     * What a run did.
     *
     * @param detector     the trained graph (its final weights)
     * @param state        where training ended (epoch, step, best AP)
     * @param evaluation   the last evaluation, or null if none ran
     * @param stoppedByTime whether the time budget ended it
     * @param steps        steps done in this invocation
     * @param seconds      wall time of this invocation's training, evaluations included
     * @param cpuSeconds   CPU time of the whole process over the same span (every thread: training, loading, GC)
     * @param parameters   trainable parameters of the detector (without those the objective adds, e.g. adapters)
     */
    record Outcome(DetectorGraph detector, TrainingState state, CocoEvaluation evaluation, boolean stoppedByTime, long steps,
                   double seconds, double cpuSeconds, long parameters) {
        double itPerSec() { return seconds > 0 ? steps / seconds : 0; }
    }

    /**
     * Trains {@code config} on {@code train}, evaluating on {@code val} (null = no evaluation), into {@code out}.
     *
     * @throws IOException on I/O failure (checkpoints, metrics, curves)
     * @throws org.detrdistill.core.train.NonFiniteException on a NaN/Inf loss or gradient (the last checkpoint stays)
     */
    static Outcome run(DetectorConfig config, CocoDataset train, CocoDataset val, Settings s, Path out, PrintWriter err)
            throws IOException {
        return run(config, train, val, s, out, err, DetectionObjective::new);
    }

    /**
     * As {@link #run(DetectorConfig, CocoDataset, CocoDataset, Settings, Path, PrintWriter)}, training the objective
     * {@code objectives} makes of the built detector. It is made before anything is written, so a setup it refuses
     * (a teacher that does not fit) leaves the output folder untouched.
     */
    static Outcome run(DetectorConfig config, CocoDataset train, CocoDataset val, Settings s, Path out, PrintWriter err,
                       Objectives objectives) throws IOException {
        DetectorGraph detector;
        try {
            detector = Detectors.build(config, DataType.FLOAT, s.trainer().seed());
        } catch (UnsupportedOperationException e) {     // a variant this build does not implement: bad input
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        long parameters = 0;
        for (SDVariable v : detector.sameDiff().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) parameters += v.getArr().length();
        }
        TrainingObjective objective = objectives.create(detector);   // before anything is written: may refuse the setup
        Files.createDirectories(out);
        TrainedDetector.writeCategories(out, train.categories());
        LoaderConfig loader = LoaderConfig.builder().batchSize(s.batchSize()).workers(s.workers())
                .seed(s.trainer().seed()).build();
        DetectorEvaluator evaluator = val == null ? null
                : CanvasData.evaluator(val, config, s.batchSize(), s.workers(), s.trainer().topK());
        Path metricsFile = out.resolve(METRICS);
        TrainingCurves curves = s.resume() && Files.isRegularFile(metricsFile)
                ? TrainingCurves.fromMetricsFile(metricsFile, out.resolve(LOSS_PNG), out.resolve(AP_PNG))
                : new TrainingCurves(out.resolve(LOSS_PNG), out.resolve(AP_PNG));
        TimeBudget budget = s.minutes() == null ? null : TimeBudget.ofMinutes(s.minutes());
        StepCounter counter = new StepCounter();
        try (CocoDetectionIterator batches = CanvasData.trainBatches(train, config, loader, s.augment());
             JsonLinesMetrics metrics = new JsonLinesMetrics(metricsFile)) {
            List<TrainingListener> listeners = new ArrayList<>();
            listeners.add(new NonFiniteGuard());
            listeners.add(counter);
            listeners.add(metrics);
            listeners.add(curves);
            ConsoleProgress bar = ConsoleProgress.auto(s.trainer().totalSteps(batches.batchesPerEpoch()));
            listeners.add(s.progressBar() && bar.enabled() ? bar : new EpochLog(err));
            if (budget != null) listeners.add(budget);
            DetectorTrainer trainer = new DetectorTrainer(objective, s.trainer(), out, listeners);
            long t0 = System.nanoTime(), cpu0 = processCpuNanos();
            TrainingState state = trainer.fit(batches, evaluator, s.resume());
            double seconds = (System.nanoTime() - t0) / 1e9, cpu = (processCpuNanos() - cpu0) / 1e9;
            return new Outcome(detector, state, trainer.lastEvaluation(), budget != null && budget.expired(), counter.steps,
                    seconds, cpu, parameters);
        }
    }

    /** CPU time of this process so far, or 0 where the JVM does not report it. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    /** Counts the steps of this invocation. */
    private static final class StepCounter implements TrainingListener {
        long steps;

        @Override
        public void onStepEnd(StepMetrics m) { steps++; }
    }
}
