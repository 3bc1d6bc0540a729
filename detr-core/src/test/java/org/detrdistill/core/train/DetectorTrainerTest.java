package org.detrdistill.core.train;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.coco.CocoReadOptions;
import org.detrdistill.datasets.image.DetrTransforms;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The training loop on generated synthetic COCO data: training with evaluation, checkpoints, and exact resume. */
class DetectorTrainerTest {
    private static final int SIZE = 64;
    @TempDir static Path tmp;
    private static SyntheticCocoDataset data;

    @BeforeAll
    static void generate() throws Exception {
        data = SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(6).numValImages(2)
                .imageWidth(SIZE).imageHeight(SIZE).maxObjects(2).seed(3).build(), tmp.resolve("synth"), 1);
    }

    private static CocoDataset read(SyntheticSplit split) throws Exception {
        return CocoInstancesReader.read(data.annotations(split), CocoReadOptions.builder().imageRoot(data.imageDir(split)).build());
    }

    private static CocoDetectionIterator batches(CocoDataset ds, boolean shuffle) {
        return CocoDetectionIterator.builder(ds).imageRoot(ds.imageRoot().orElseThrow())
                .config(LoaderConfig.builder().batchSize(2).workers(0).shuffle(shuffle).seed(9).canvas(SIZE, SIZE).build())
                .transform(DetrTransforms.eval(SIZE, SIZE)).build();
    }

    private static DetectorGraph detector(int classes, long seed) {
        DetectorConfig c = DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny"))
                .hiddenDim(32).heads(2).encoderLayers(1).decoderLayers(2).ffnDim(32).numQueries(6).numClasses(classes)
                .inputSize(SIZE, SIZE).build();
        return Detectors.build(c, DataType.FLOAT, seed);
    }

    /** Records the total loss of every step. */
    private static final class Losses implements TrainingListener {
        final List<Double> values = new ArrayList<>();
        @Override public void onStepEnd(StepMetrics m) { values.add(m.totalLoss()); }
    }

    @Test
    void trainsEvaluatesCheckpointsAndResumesExactly() throws Exception {
        CocoDataset train = read(SyntheticSplit.TRAIN), val = read(SyntheticSplit.VAL);
        int classes = train.categories().size();
        TrainerConfig cfg = TrainerConfig.builder(Variant.CONDITIONAL_DETR).epochs(2).lr(1e-3).build();
        DetectorEvaluator evaluator = new DetectorEvaluator(() -> batches(val, false), val.categories(), val.file(), 100);

        // uninterrupted: 2 epochs of 3 steps, evaluated after each epoch
        Losses straight = new Losses();
        Path runA = tmp.resolve("a");
        DetectorTrainer a = new DetectorTrainer(detector(classes, 1), cfg, runA, List.of(straight, new NonFiniteGuard()));
        TrainingState doneA = a.fit(batches(train, true), evaluator, false);
        assertEquals(6, straight.values.size());
        assertEquals(2, doneA.epoch());
        assertEquals(6, doneA.step());
        assertTrue(Files.isRegularFile(runA.resolve("last.zip")), "last checkpoint");
        assertTrue(Files.isRegularFile(runA.resolve("best.zip")), "best checkpoint");
        assertEquals(DetectorConfig.read(runA.resolve("detector.json")), a.objective().detector().config());
        double ap = a.lastEvaluation().stats().ap();
        assertTrue(ap >= 0 && ap <= 1, "AP " + ap);

        // interrupted after epoch 1, then resumed into a FRESH graph with other initial weights
        Losses first = new Losses(), second = new Losses();
        Path runB = tmp.resolve("b");
        new DetectorTrainer(detector(classes, 1), cfg.toBuilder().epochs(1).build(), runB, List.of(first))
                .fit(batches(train, true), null, false);
        TrainingState doneB = new DetectorTrainer(detector(classes, 777), cfg, runB, List.of(second))
                .fit(batches(train, true), null, true);
        assertEquals(3, first.values.size());
        assertEquals(3, second.values.size(), "the resumed run continues at epoch 1");
        List<Double> resumed = new ArrayList<>(first.values);
        resumed.addAll(second.values);
        assertEquals(straight.values, resumed, "a resumed run reproduces the uninterrupted losses bit for bit");
        assertEquals(6, doneB.step());
    }

    @Test
    void aStopRequestEndsTheRunWithEvaluationAndCheckpoint() throws Exception {
        CocoDataset train = read(SyntheticSplit.TRAIN), val = read(SyntheticSplit.VAL);
        TrainerConfig cfg = TrainerConfig.builder(Variant.CONDITIONAL_DETR).epochs(5).evalEveryEpochs(5).build();
        DetectorEvaluator evaluator = new DetectorEvaluator(() -> batches(val, false), val.categories(), val.file(), 100);
        Throwable[] end = {new AssertionError("onTrainEnd not called")};
        TrainingListener stopAfterTwo = new TrainingListener() {
            long steps;
            @Override public void onStepEnd(StepMetrics m) { steps++; }
            @Override public boolean stopRequested() { return steps >= 2; }
            @Override public void onTrainEnd(long step, Throwable failure) { end[0] = failure; }
        };
        Path run = tmp.resolve("stopped");
        DetectorTrainer t = new DetectorTrainer(detector(train.categories().size(), 1), cfg, run, List.of(stopAfterTwo));
        TrainingState done = t.fit(batches(train, true), evaluator, false);
        assertEquals(2, done.step(), "stopped after the step that asked");
        assertEquals(1, done.epoch(), "a resumed run would start at the next epoch");
        assertNull(end[0], "a requested stop is not a failure");
        assertNotNull(t.lastEvaluation(), "the stopped epoch is evaluated as the last one");
        assertTrue(Files.isRegularFile(run.resolve("last.zip")));
        assertTrue(Files.isRegularFile(run.resolve("best.zip")));
        assertEquals(2, CheckpointFile.read(run.resolve("last.zip")).training().step());
    }

    @Test
    void refusesToResumeAnotherDetector() throws Exception {
        CocoDataset train = read(SyntheticSplit.TRAIN);
        int classes = train.categories().size();
        TrainerConfig cfg = TrainerConfig.builder(Variant.CONDITIONAL_DETR).epochs(1).maxIterations(1).build();
        Path run = tmp.resolve("c");
        new DetectorTrainer(detector(classes, 1), cfg, run, List.of()).fit(batches(train, true), null, false);
        DetectorConfig other = detector(classes, 1).config().toBuilder().numQueries(7).build();
        DetectorTrainer wrong = new DetectorTrainer(Detectors.build(other, DataType.FLOAT, 1), cfg, run, List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.fit(batches(train, true), null, true));
        assertTrue(e.getMessage().contains("another detector configuration"), e.getMessage());
    }
}
