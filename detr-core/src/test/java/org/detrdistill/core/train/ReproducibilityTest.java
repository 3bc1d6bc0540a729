package org.detrdistill.core.train;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The checkpoint holds everything a run depends on: N steps in one go equal N/2 steps, a checkpoint on disk, a reload
 * into a fresh graph (other initial weights, other ND4J random state, fresh optimizer) and N/2 more steps, bit for bit.
 * The run uses AdamW with parameter groups and a frozen parameter, warm-up + step decay, clipping, in-graph dropout
 * (ND4J's generator) and batches drawn by the Java-side generator. A control run that skips part of the state diverges.
 */
class ReproducibilityTest {
    private static final int N = 12, BATCH = 8;
    private static final DetectorConfig CONFIG = DetectorConfig.builder(Variant.CONDITIONAL_DETR).numClasses(3).build();
    private static final INDArray[] DATA = TinyMlp.dataset(64, DataType.FLOAT);

    private static GradientStep newStep() {
        ParamGroups groups = ParamGroups.builder().rule(ParamRule.keywords("layer1", 0.1, true, "layer1."))
                .rule(ParamRule.keywords("bias", 1, false, ".bias")).freezeKeywords("frozen.").build();
        return new GradientStep(new AdamW(AdamWConfig.detr(), groups),
                LrSchedule.constant(5e-2).stepDecay(0.1, 8).linearWarmup(4, 0.1), new GradientClipper(0.5));
    }

    /** Runs steps [from, to) and appends each step's loss bits. */
    private static void train(SameDiff sd, GradientStep step, SplitMix64 rng, long from, long to, List<Long> losses) {
        for (long k = from; k < to; k++) {
            Map<String, INDArray> feed = TinyMlp.batch(DATA, rng, BATCH);
            losses.add(Double.doubleToRawLongBits(step.run(sd, feed, TinyMlp.OUTPUTS, k).output("loss")));
        }
    }

    @Test
    void resumedRunIsBitIdentical(@TempDir Path dir) throws Exception {
        // one go
        Nd4j.getRandom().setSeed(77);
        SameDiff a = TinyMlp.build(DataType.FLOAT, 3, 0.2, BATCH);
        List<Long> straight = new ArrayList<>();
        train(a, newStep(), new SplitMix64(99), 0, N, straight);

        // first half, checkpoint
        Nd4j.getRandom().setSeed(77);
        SameDiff b = TinyMlp.build(DataType.FLOAT, 3, 0.2, BATCH);
        GradientStep stepB = newStep();
        SplitMix64 rngB = new SplitMix64(99);
        List<Long> resumed = new ArrayList<>();
        train(b, stepB, rngB, 0, N / 2, resumed);
        CheckpointStore store = new CheckpointStore(dir);
        store.saveLast(Checkpoint.capture(b, CONFIG, stepB.optimizer(), new TrainingState(1, N / 2, Double.NaN, -1), rngB), false);

        // fresh graph (different init), scrambled ND4J random state, fresh optimizer; restore and finish
        Nd4j.getRandom().setSeed(12345);
        SameDiff c = TinyMlp.build(DataType.FLOAT, 4, 0.2, BATCH);
        GradientStep stepC = newStep();
        Checkpoint ckpt = store.load(CheckpointStore.LAST);
        ckpt.restore(c, stepC.optimizer());
        assertEquals(CONFIG, ckpt.config());
        train(c, stepC, ckpt.random(), ckpt.training().step(), N, resumed);

        assertEquals(straight, resumed, "loss bits per step");
        for (String p : List.of("layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias", "frozen.scale")) {
            assertEquals(a.getArrForVarName(p), c.getArrForVarName(p), p);
        }
        System.out.println("losses: " + straight.stream().map(Double::longBitsToDouble).toList());
    }

    @Test
    void controlWithoutOptimizerStateOrRandomStateDiverges(@TempDir Path dir) throws Exception {
        Nd4j.getRandom().setSeed(77);
        SameDiff a = TinyMlp.build(DataType.FLOAT, 3, 0.2, BATCH);
        List<Long> straight = new ArrayList<>();
        train(a, newStep(), new SplitMix64(99), 0, N, straight);

        Nd4j.getRandom().setSeed(77);
        SameDiff b = TinyMlp.build(DataType.FLOAT, 3, 0.2, BATCH);
        GradientStep stepB = newStep();
        SplitMix64 rngB = new SplitMix64(99);
        train(b, stepB, rngB, 0, N / 2, new ArrayList<>());
        Checkpoint ckpt = Checkpoint.capture(b, CONFIG, stepB.optimizer(), new TrainingState(1, N / 2, Double.NaN, -1), rngB);
        CheckpointFile.write(ckpt, dir.resolve("c.zip"));
        Checkpoint loaded = CheckpointFile.read(dir.resolve("c.zip"));

        // (1) parameters and random state restored, optimizer state lost
        SameDiff c = TinyMlp.build(DataType.FLOAT, 4, 0.2, BATCH);
        GradientStep stepC = newStep();
        loaded.restore(c, stepC.optimizer());
        stepC.optimizer().load(Map.of());
        List<Long> noOpt = new ArrayList<>(straight.subList(0, N / 2));
        train(c, stepC, loaded.random(), N / 2, N, noOpt);
        assertNotEquals(straight, noOpt);

        // (2) everything restored except ND4J's generator (dropout masks)
        SameDiff d = TinyMlp.build(DataType.FLOAT, 4, 0.2, BATCH);
        GradientStep stepD = newStep();
        loaded.restore(d, stepD.optimizer());
        Nd4j.getRandom().setSeed(5);
        List<Long> noNd4jRng = new ArrayList<>(straight.subList(0, N / 2));
        train(d, stepD, loaded.random(), N / 2, N, noNd4jRng);
        assertNotEquals(straight, noNd4jRng);

        // (3) everything restored except the Java generator (batch order)
        SameDiff e = TinyMlp.build(DataType.FLOAT, 4, 0.2, BATCH);
        GradientStep stepE = newStep();
        loaded.restore(e, stepE.optimizer());
        List<Long> noJavaRng = new ArrayList<>(straight.subList(0, N / 2));
        train(e, stepE, new SplitMix64(99), N / 2, N, noJavaRng);
        assertNotEquals(straight, noJavaRng);
    }
}
