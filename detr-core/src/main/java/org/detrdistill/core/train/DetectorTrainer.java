package org.detrdistill.core.train;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.detrdistill.datasets.eval.CocoStats;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a detector graph: per step, one forward + backward pass ({@link GradientStep}: non-finite guard, clipping,
 * AdamW with parameter groups and the schedule) with the Hungarian matching of {@link DetectionObjective} between
 * the forward and the backward part ({@link TrainingObjective#stagedFeeds}; objectives that do not split their feeds
 * run their own forward passes first). At the end of every epoch it may evaluate with COCO AP
 * ({@link DetectorEvaluator}) and writes the {@code last} checkpoint (and {@code best}, by AP) atomically into the
 * output directory, with {@code detector.json} and {@code trainer.json} beside them. A listener can end the run early
 * and gracefully ({@link TrainingListener#stopRequested()}, e.g. {@link TimeBudget}): that epoch is then evaluated
 * and saved as the last one.
 *
 * <pre>{@code
 * DetectorGraph det = Detectors.build(DetectorPresets.get("conditional_detr_tiny"), DataType.FLOAT, 42);
 * DetectorTrainer trainer = new DetectorTrainer(det, TrainerConfig.builder(Variant.CONDITIONAL_DETR).epochs(12).build(),
 *         Path.of("runs/cond"), List.of(ConsoleProgress.auto(total)));
 * TrainingState done = trainer.fit(trainBatches, evaluator, true);   // resumes from runs/cond/last.zip if present
 * }</pre>
 */
public final class DetectorTrainer {
    private final DetectorGraph detector;
    private final TrainerConfig config;
    private final Path outputDir;
    private final List<TrainingListener> listeners;
    private final TrainingObjective objective;
    private final AdamW optimizer;
    private final CheckpointStore store;
    private CocoEvaluation lastEvaluation;

    /**
     * @param listeners called in order on the training thread (progress bars, metrics files, curves, ...)
     */
    public DetectorTrainer(DetectorGraph detector, TrainerConfig config, Path outputDir, List<TrainingListener> listeners) {
        this(new DetectionObjective(detector), config, outputDir, listeners);
    }

    /** With a custom objective (criterion and matcher configuration, or detection + distillation terms). */
    public DetectorTrainer(TrainingObjective objective, TrainerConfig config, Path outputDir, List<TrainingListener> listeners) {
        this.objective = Objects.requireNonNull(objective, "objective");
        this.detector = objective.detector();
        this.config = Objects.requireNonNull(config, "config");
        this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
        this.listeners = List.copyOf(listeners);
        this.optimizer = new AdamW(AdamWConfig.builder().weightDecay(config.weightDecay()).build(),
                ParamGroups.forVariant(detector.config().variant()));
        this.store = new CheckpointStore(outputDir);
    }

    /**
     * Trains for the configured budget.
     *
     * @param train     training batches (padded to the detector's canvas); its epoch is set by the trainer
     * @param evaluator validation, or null to skip evaluation (then no {@code best} checkpoint)
     * @param resume    continue from {@code last} in the output directory if it exists
     * @return the final training state (epoch, step, best AP)
     * @throws IOException               if checkpoints cannot be written
     * @throws NonFiniteException        on a NaN/Inf loss or gradient (the last good checkpoint is kept)
     * @throws IllegalArgumentException  if the checkpoint to resume from belongs to another detector configuration
     */
    public TrainingState fit(CocoDetectionIterator train, DetectorEvaluator evaluator, boolean resume) throws IOException {
        Files.createDirectories(outputDir);
        SameDiff sd = detector.sameDiff();
        long itersPerEpoch = train.batchesPerEpoch();
        GradientStep step = new GradientStep(optimizer, config.schedule(itersPerEpoch), new GradientClipper(config.clipMaxNorm()));
        TrainingState state = TrainingState.initial();
        SplitMix64 random = new SplitMix64(config.seed());
        if (resume && store.exists(CheckpointStore.LAST)) {
            Checkpoint c = store.load(CheckpointStore.LAST);
            if (!c.config().equals(detector.config())) {
                throw new IllegalArgumentException("cannot resume from " + store.path(CheckpointStore.LAST)
                        + ": it holds another detector configuration (" + c.config().variant() + ")");
            }
            c.restore(sd, optimizer);
            state = c.training();
            random = c.random();
        }
        writeConfigs();
        List<String> outputs = new ArrayList<>(objective.termNames());
        outputs.addAll(objective.weightedNames());
        long total = config.totalSteps(itersPerEpoch);
        Throwable failure = null;
        boolean stopped = false;
        try {
            for (int epoch = state.epoch(); epoch < config.epochs() && state.step() < total && !stopped; epoch++) {
                train.reset(epoch);
                long t0 = System.nanoTime(), steps0 = state.step();
                while (train.hasNext() && state.step() < total) {
                    DetectionBatch batch = train.next();
                    StepResult r = step.run(sd, objective.stagedFeeds(batch, state.step()), outputs, state.step());
                    state = state.advancedBy(1);
                    double itPerSec = (state.step() - steps0) / ((System.nanoTime() - t0) / 1e9);
                    StepMetrics m = metrics(r, epoch, itPerSec);
                    for (TrainingListener l : listeners) l.onStepEnd(m);
                    if (stopRequested()) {
                        stopped = true;
                        break;
                    }
                }
                for (TrainingListener l : listeners) l.onEpochEnd(epoch, state.step());
                boolean lastEpoch = epoch == config.epochs() - 1 || state.step() >= total || stopped;
                boolean isBest = false;
                if (evaluator != null && config.evalEveryEpochs() > 0 && ((epoch + 1) % config.evalEveryEpochs() == 0 || lastEpoch)) {
                    lastEvaluation = evaluator.evaluate(detector);
                    double ap = lastEvaluation.stats().ap();
                    isBest = state.isImprovement(ap);
                    if (isBest) state = state.withEval(ap, epoch);
                    EvalStats stats = new EvalStats(state.step(), epoch, statsMap(lastEvaluation.stats()));
                    for (TrainingListener l : listeners) l.onEval(stats);
                }
                state = state.atEpoch(epoch + 1);
                store.saveLast(Checkpoint.capture(sd, detector.config(), optimizer, state, random), isBest);
            }
        } catch (RuntimeException | IOException | Error e) {
            failure = e;
            throw e;
        } finally {
            for (TrainingListener l : listeners) {
                try {
                    l.onTrainEnd(state.step(), failure);
                } catch (RuntimeException ignored) {
                    // a listener failing at the end must not hide the training outcome
                }
            }
        }
        return state;
    }

    private boolean stopRequested() {
        boolean stop = false;
        for (TrainingListener l : listeners) stop |= l.stopRequested();
        return stop;
    }

    /** The evaluation of the last evaluated epoch, or null. */
    public CocoEvaluation lastEvaluation() { return lastEvaluation; }

    public TrainingObjective objective() { return objective; }

    public AdamW optimizer() { return optimizer; }

    public CheckpointStore checkpoints() { return store; }

    private void writeConfigs() throws IOException {
        detector.config().write(outputDir.resolve("detector.json"));
        Path tmp = outputDir.resolve("trainer.json.tmp");
        Files.writeString(tmp, config.toJson());
        Files.move(tmp, outputDir.resolve("trainer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private StepMetrics metrics(StepResult r, int epoch, double itPerSec) {
        Map<String, Double> weighted = new LinkedHashMap<>(), unweighted = new LinkedHashMap<>();
        double total = 0;
        for (String n : objective.weightedNames()) {
            double v = r.output(n);
            weighted.put(n.replace("_weighted", ""), v);
            total += v;
        }
        for (String n : objective.termNames()) unweighted.put(n, r.output(n));
        return new StepMetrics(r.step(), epoch, total, weighted, unweighted, r.lr(), r.gradNorm(), itPerSec);
    }

    /** The 12 COCO stats by their pycocotools names (AP, AP50, ...). */
    static Map<String, Double> statsMap(CocoStats s) {
        Map<String, Double> m = new LinkedHashMap<>();
        double[] v = s.toArray();
        for (int i = 0; i < CocoStats.NAMES.size(); i++) m.put(CocoStats.NAMES.get(i), v[i]);
        return m;
    }
}
