package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The building blocks composed as a trainer will compose them (on {@link TinyMlp}): steps, listeners, per-epoch
 * evaluation and checkpoints. A NaN in the data of epoch 2 stops training naming the step and the term, every listener
 * hears {@code onTrainEnd}, and {@code last.zip} / {@code best.zip} stay those of the last good epoch.
 */
class EngineLoopTest {
    private static final int EPOCHS = 3, STEPS_PER_EPOCH = 6, BATCH = 8, BAD_STEP = 2 * STEPS_PER_EPOCH + 3;

    @Test
    void nonFiniteStepStopsTrainingAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        SameDiff sd = TinyMlp.build(DataType.FLOAT, 3, 0, BATCH);
        INDArray[] data = TinyMlp.dataset(64, DataType.FLOAT);
        GradientStep step = new GradientStep(new AdamW(AdamWConfig.detr(), ParamGroups.builder().freezeKeywords("frozen.").build()),
                LrSchedule.constant(2e-2).stepDecay(0.1, 10).linearWarmup(3, 0.1), new GradientClipper(1.0));
        CheckpointStore store = new CheckpointStore(dir.resolve("ckpt"));
        DetectorConfig config = DetectorConfig.builder(Variant.ADAMIXER).numClasses(2).build();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        TrainingCurves curves = new TrainingCurves(dir.resolve("loss.png"), dir.resolve("ap.png"));
        List<TrainingListener> listeners;
        byte[] lastGood = null, bestGood = null;
        Throwable failure = null;
        TrainingState state = TrainingState.initial();
        SplitMix64 rng = new SplitMix64(11);
        try (JsonLinesMetrics metrics = new JsonLinesMetrics(dir.resolve("metrics.jsonl"))) {
            listeners = List.of(new NonFiniteGuard(), metrics, curves,
                    new ConsoleProgress(new PrintStream(console, true), EPOCHS * STEPS_PER_EPOCH, true, 0.9, 20));
            try {
                for (int epoch = 0; epoch < EPOCHS; epoch++) {
                    for (int i = 0; i < STEPS_PER_EPOCH; i++) {
                        Map<String, INDArray> feed = new LinkedHashMap<>(TinyMlp.batch(data, rng, BATCH));
                        if (state.step() == BAD_STEP) {
                            INDArray y = feed.get("y").dup();
                            y.putScalar(0, 0, Double.NaN);
                            feed.put("y", y);
                        }
                        StepResult r = step.run(sd, feed, TinyMlp.OUTPUTS, state.step());
                        StepMetrics m = new StepMetrics(r.step(), epoch, r.output("loss"),
                                Map.of("loss_mse", r.output("loss_mse"), "loss_l1", r.output("loss_l1")),
                                Map.of("loss_mse", r.output("mse"), "loss_l1", r.output("l1")), r.lr(), r.gradNorm(), 10.0);
                        for (TrainingListener l : listeners) l.onStepEnd(m);
                        state = state.advancedBy(1);
                    }
                    state = state.atEpoch(epoch + 1);
                    for (TrainingListener l : listeners) l.onEpochEnd(epoch, state.step());
                    double fullLoss = sd.output(TinyMlp.batch(data, new SplitMix64(0), BATCH), "loss").get("loss").getDouble(0);
                    EvalStats ev = new EvalStats(state.step(), epoch, Map.of("AP", Math.exp(-fullLoss), "AP50", Math.exp(-fullLoss / 2)));
                    boolean best = state.isImprovement(ev.get("AP"));
                    state = state.withEval(ev.get("AP"), epoch);
                    store.saveLast(Checkpoint.capture(sd, config, step.optimizer(), state, rng), best);
                    lastGood = Files.readAllBytes(store.path(CheckpointStore.LAST));
                    bestGood = Files.readAllBytes(store.path(CheckpointStore.BEST));
                    for (TrainingListener l : listeners) l.onEval(ev);
                }
            } catch (NonFiniteException e) {
                failure = e;
            } finally {
                for (TrainingListener l : listeners) l.onTrainEnd(state.step(), failure);
            }
        }
        NonFiniteException e = (NonFiniteException) failure;
        assertTrue(e != null, "training must stop");
        assertEquals(BAD_STEP, e.step());
        assertEquals("l1", e.term());
        assertEquals(BAD_STEP, state.step(), "no step after the bad one");
        assertArrayEquals(lastGood, Files.readAllBytes(store.path(CheckpointStore.LAST)));
        assertArrayEquals(bestGood, Files.readAllBytes(store.path(CheckpointStore.BEST)));
        Checkpoint last = store.load(CheckpointStore.LAST);
        assertEquals(2 * STEPS_PER_EPOCH, last.training().step());
        assertEquals(2, last.training().epoch());

        List<JsonNode> log = JsonLinesMetrics.read(dir.resolve("metrics.jsonl"));
        assertEquals(BAD_STEP, log.stream().filter(n -> n.get("type").asText().equals("step")).count());
        assertEquals(2, log.stream().filter(n -> n.get("type").asText().equals("eval")).count());
        JsonNode end = log.get(log.size() - 1);
        assertEquals("train_end", end.get("type").asText());
        assertTrue(end.get("failure").asText().contains("step " + BAD_STEP) && end.get("failure").asText().contains("l1"), end.toString());
        assertTrue(Files.size(dir.resolve("loss.png")) > 1000 && Files.size(dir.resolve("ap.png")) > 1000);
        assertTrue(console.toString().contains("training stopped at step " + BAD_STEP), console.toString());
        List<Double> losses = new ArrayList<>();
        log.stream().filter(n -> n.get("type").asText().equals("step")).forEach(n -> losses.add(n.get("loss").asDouble()));
        System.out.println("losses: " + losses);
    }

    @Test
    void guardRejectsWhatTheLoopReports() {
        NonFiniteGuard guard = new NonFiniteGuard();
        StepMetrics m = new StepMetrics(4, 0, 1.0, Map.of(), Map.of("distill_feat", Double.NaN), 1e-4, 1, 1);
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> guard.onStepEnd(m));
        assertEquals("distill_feat", e.term());
    }
}
