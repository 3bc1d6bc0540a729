package org.detrdistill.core.train;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.coco.CategoryMap;
import org.detrdistill.datasets.coco.CocoCategory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Restoring weights only (no optimizer), and rebuilding a detector from a training folder. */
class TrainedDetectorTest {
    @TempDir Path tmp;

    private static DetectorConfig config() {
        return DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny")).hiddenDim(32)
                .heads(2).encoderLayers(1).decoderLayers(1).ffnDim(32).numQueries(5).numClasses(3).inputSize(64, 64).build();
    }

    private static Checkpoint capture(DetectorGraph det) {
        return Checkpoint.capture(det.sameDiff(), det.config(), new AdamW(AdamWConfig.detr(), ParamGroups.uniform()),
                new TrainingState(4, 40, 0.5, 3), new SplitMix64(1));
    }

    @Test
    void restoreWeightsCopiesParametersAndLeavesTheOptimizerAlone() {
        SameDiff trained = TinyMlp.build(DataType.FLOAT, 1, 0, 8);
        AdamW adamw = new AdamW(AdamWConfig.detr(), ParamGroups.uniform());
        GradientStep step = new GradientStep(adamw, LrSchedule.constant(1e-2), GradientClipper.off());
        INDArray[] data = TinyMlp.dataset(8, DataType.FLOAT);
        for (int k = 0; k < 2; k++) step.run(trained, Map.of("x", data[0], "y", data[1]), TinyMlp.OUTPUTS, k);
        trained.constant("loss.weight", Nd4j.scalar(2f));   // training graphs also hold the loss's constants
        trained.var("kd.adapter.weight", Nd4j.ones(DataType.FLOAT, 3));   // and the objective's own parameters
        Checkpoint c = Checkpoint.capture(trained, config(), adamw, TrainingState.initial(), new SplitMix64(1));
        assertTrue(c.constants().containsKey("loss.weight"));

        SameDiff fresh = TinyMlp.build(DataType.FLOAT, 99, 0, 8);
        assertNotEquals(c.parameters().get("layer1.weight"), fresh.getVariable("layer1.weight").getArr());
        INDArray before = fresh.getVariable("layer1.weight").getArr();
        c.restoreWeights(fresh);
        for (var e : c.parameters().entrySet()) {
            if (!e.getKey().startsWith("kd.")) assertEquals(e.getValue(), fresh.getVariable(e.getKey()).getArr(), e.getKey());
        }
        assertSame(before, fresh.getVariable("layer1.weight").getArr(), "assigned in place");
        assertFalse(fresh.hasVariable("loss.weight"), "constants the graph lacks are skipped");
        assertFalse(fresh.hasVariable("kd.adapter.weight"), "and so are parameters it lacks");
        IllegalArgumentException full = assertThrows(IllegalArgumentException.class,
                () -> c.restore(TinyMlp.build(DataType.FLOAT, 99, 0, 8), new AdamW(AdamWConfig.detr(), ParamGroups.uniform())));
        assertTrue(full.getMessage().contains("loss.weight"), "a full restore (resume) needs the same graph: " + full.getMessage());

        SameDiff other = TinyMlp.build(DataType.FLOAT, 1, 0, 8);
        other.var("extra", Nd4j.zeros(DataType.FLOAT, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.restoreWeights(other));
        assertTrue(e.getMessage().contains("missing from the checkpoint: [extra]"), e.getMessage());
    }

    @Test
    void restoreWeightsSkipsTrainingOnlyParametersOfTheObjective() {
        SameDiff distilled = TinyMlp.build(DataType.FLOAT, 1, 0, 8);
        distilled.var("kd_feat.adapter.0.weight", Nd4j.ones(DataType.FLOAT, 3, 2));   // e.g. a distillation adapter
        Checkpoint c = Checkpoint.capture(distilled, config(), new AdamW(AdamWConfig.detr(), ParamGroups.uniform()),
                TrainingState.initial(), new SplitMix64(1));
        SameDiff detector = TinyMlp.build(DataType.FLOAT, 99, 0, 8);
        assertEquals(List.of("kd_feat.adapter.0.weight"), c.restoreWeights(detector));
        assertEquals(c.parameters().get("layer1.weight"), detector.getVariable("layer1.weight").getArr());
        IllegalArgumentException full = assertThrows(IllegalArgumentException.class,
                () -> c.restore(TinyMlp.build(DataType.FLOAT, 99, 0, 8), new AdamW(AdamWConfig.detr(), ParamGroups.uniform())));
        assertTrue(full.getMessage().contains("kd_feat.adapter.0.weight"), "resume needs the whole training graph: " + full.getMessage());

        SameDiff wrong = TinyMlp.build(DataType.FLOAT, 1, 0, 8);
        wrong.getVariable("layer1.weight").setArray(Nd4j.zeros(DataType.FLOAT, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.restoreWeights(wrong));
        assertTrue(e.getMessage().contains("parameter 'layer1.weight'"), e.getMessage());
    }

    @Test
    void loadsTheDetectorOfAFolderWithItsCategories() throws Exception {
        DetectorGraph original = Detectors.build(config(), DataType.FLOAT, 1);
        CheckpointStore store = new CheckpointStore(tmp.resolve("run"));
        store.saveLast(capture(original), false);
        CategoryMap cats = CategoryMap.of(List.of(new CocoCategory(7, "b"), new CocoCategory(2, "a"), new CocoCategory(9, "c")));
        TrainedDetector.writeCategories(store.dir(), cats);

        TrainedDetector t = TrainedDetector.load(store.dir());
        assertEquals(store.path(CheckpointStore.LAST), t.file(), "no best.zip: last.zip");
        assertEquals(config(), t.detector().config());
        assertEquals(new TrainingState(4, 40, 0.5, 3), t.training());
        assertEquals(cats.categories(), t.categories().orElseThrow().categories());

        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64), mask = Nd4j.zeros(DataType.FLOAT, 2, 64, 64);
        mask.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.interval(40, 64),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(1);
        DetectorOutputs a = original.forward(images, mask, DetectorNames.LOGITS, DetectorNames.BOXES);
        DetectorOutputs b = t.detector().forward(images, mask, DetectorNames.LOGITS, DetectorNames.BOXES);
        assertEquals(a.logits(), b.logits());
        assertEquals(a.boxes(), b.boxes());

        Files.copy(store.path(CheckpointStore.LAST), store.path(CheckpointStore.BEST));
        assertEquals(store.path(CheckpointStore.BEST), TrainedDetector.resolve(store.dir()), "best.zip first");
        assertEquals(store.path(CheckpointStore.LAST), TrainedDetector.resolve(store.path(CheckpointStore.LAST)));
    }

    @Test
    void missingCheckpointsAndCategoriesAreNamed() throws Exception {
        NoSuchFileException none = assertThrows(NoSuchFileException.class, () -> TrainedDetector.resolve(tmp.resolve("nope")));
        assertEquals(tmp.resolve("nope").toString(), none.getFile());
        Files.createDirectories(tmp.resolve("empty"));
        NoSuchFileException empty = assertThrows(NoSuchFileException.class, () -> TrainedDetector.resolve(tmp.resolve("empty")));
        assertTrue(empty.getReason().contains("best.zip or last.zip"), empty.getReason());
        assertTrue(TrainedDetector.readCategories(tmp.resolve("empty")).isEmpty());
        CategoryMap d = TrainedDetector.defaultCategories(3);
        assertEquals(List.of(1L, 2L, 3L), d.categories().stream().map(CocoCategory::id).toList());
        assertEquals("class_2", d.nameOf(1));
    }
}
