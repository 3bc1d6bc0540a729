package org.detrdistill.distill.teacher;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.CheckpointFile;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.detrdistill.distill.TeacherOutputs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A native teacher rebuilt from a checkpoint: the same outputs as the detector that was saved, every named output,
 * its own ground-truth assignment per stage, box-level outputs, no trainable variable, and the canvas check.
 */
class NativeTeacherTest {
    private static final int SIZE = 64;
    @TempDir static Path tmp;
    private static DetectorGraph original;
    private static NativeTeacher teacher;
    private static DetectionBatch batch;

    static DetectorConfig config(int size) {
        return DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny")).hiddenDim(32)
                .heads(2).encoderLayers(1).decoderLayers(2).ffnDim(32).numQueries(6).numClasses(3).inputSize(size, size).build();
    }

    static DetectionBatch batch(int size) {
        Nd4j.getRandom().setSeed(17);
        INDArray images = Nd4j.randn(DataType.FLOAT, 2, 3, size, size);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 2, size, size);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(40, size)).assign(1);   // image 1 is 40 wide
        images.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(40, size)).assign(0);
        ImageTarget a = new ImageTarget(10, new int[]{0, 2}, Nd4j.createFromArray(new float[][]{{0.3f, 0.3f, 0.2f, 0.2f},
                {0.7f, 0.6f, 0.3f, 0.4f}}), size, size, 128, 128);
        ImageTarget b = new ImageTarget(11, new int[]{1}, Nd4j.createFromArray(new float[][]{{0.5f, 0.5f, 0.4f, 0.4f}}),
                size, 40, 128, 80);
        return new DetectionBatch(images, mask, List.of(a, b));
    }

    @BeforeAll
    static void saveAndLoad() throws Exception {
        original = Detectors.build(config(SIZE), DataType.FLOAT, 5);
        Checkpoint c = Checkpoint.capture(original.sameDiff(), original.config(),
                new AdamW(AdamWConfig.builder().build(), ParamGroups.uniform()), TrainingState.initial(), new SplitMix64(1));
        Path file = tmp.resolve("teacher.zip");
        CheckpointFile.write(c, file);
        teacher = NativeTeacher.load(file, NativeTeacher.Options.defaults().withBoxes(new BoxSelection(0.0, 5)));
        batch = batch(SIZE);
    }

    @Test
    void reproducesTheSavedDetectorAndProvidesEveryOutput() {
        assertEquals(original.config(), teacher.config());
        assertEquals(2, teacher.numStages());
        for (String n : List.of(DetectorNames.LOGITS, DetectorNames.BOXES, DetectorNames.stageLogits(0), DetectorNames.stageBoxes(1),
                DetectorNames.stageHidden(0), DetectorNames.stageHidden(1), DetectorNames.feature(0), DetectorNames.MEMORY,
                DetectorNames.QUERY_EMBED)) {
            assertTrue(teacher.provides().contains(n), n + " in " + teacher.provides());
        }
        long before = teacher.forwardCount();
        TeacherOutputs out = teacher.run(batch);
        assertEquals(before + 1, teacher.forwardCount(), "one forward pass per run");
        DetectorOutputs ref = original.forward(batch.images(), batch.mask());
        for (String n : ref.arrays().keySet()) {
            assertArrayEquals(ref.get(n).dup('c').data().asDouble(), out.get(n).dup('c').data().asDouble(), 0,
                    n + " is bit-identical to the saved detector");
        }
        assertArrayEquals(new long[]{6, 32}, out.get(DetectorNames.QUERY_EMBED).shape());
        assertArrayEquals(new long[]{2, 6, 32}, out.get(DetectorNames.stageHidden(1)).shape());
    }

    @Test
    void hasNoTrainableVariable() {
        for (SDVariable v : teacher.detector().sameDiff().variables()) {
            assertNotEquals(VariableType.VARIABLE, v.getVariableType(), v.name() + " must be frozen");
        }
    }

    @Test
    void assignsItsOwnPredictionsToTheGroundTruthAtEveryStage() {
        TeacherOutputs out = teacher.run(batch);
        HungarianMatcher m = new HungarianMatcher(MatcherConfig.deformableDetr());
        assertEquals(2, out.assignments().size());
        for (int k = 0; k < 2; k++) {
            assertEquals(m.match(out.get(DetectorNames.stageLogits(k)), out.get(DetectorNames.stageBoxes(k)), batch.targets()),
                    out.assignments().get(k), "stage " + k);
            assertEquals(2, out.assignments().get(k).get(0).size());
            assertEquals(1, out.assignments().get(k).get(1).size());
        }
    }

    @Test
    void boxOutputsAreTheBestScoredPairsOfTheFinalStage() {
        TeacherOutputs out = teacher.run(batch);
        INDArray logits = out.get(DetectorNames.LOGITS), boxes = out.get(DetectorNames.BOXES);
        for (int b = 0; b < 2; b++) {
            assertEquals(5, out.scores().get(b).length, "threshold 0, cap 5");
            INDArray l = logits.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
            long flat = l.reshape(-1).argMax().getLong(0);
            int q = (int) (flat / 3), c = (int) (flat % 3);
            assertEquals(1 / (1 + Math.exp(-l.getDouble(q, c))), out.scores().get(b)[0], 1e-6, "best score first");
            assertEquals(c, out.labels().get(b)[0]);
            double[] expected = boxes.get(NDArrayIndex.point(b), NDArrayIndex.point(q), NDArrayIndex.all()).toDoubleVector();
            assertArrayEquals(expected, out.boxes().get(b).getRow(0).toDoubleVector(), 1e-6, "cxcywh, normalised");
            for (int i = 1; i < 5; i++) assertTrue(out.scores().get(b)[i] <= out.scores().get(b)[i - 1]);
        }
    }

    @Test
    void teacherAndStudentMustShareTheCanvas() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> teacher.requireSameCanvas(config(96), "kd_logits"));
        assertTrue(e.getMessage().contains("64x64") && e.getMessage().contains("96x96") && e.getMessage().contains("share the canvas"),
                e.getMessage());
        IllegalArgumentException run = assertThrows(IllegalArgumentException.class, () -> teacher.run(batch(96)));
        assertTrue(run.getMessage().contains("canvas"), run.getMessage());
        teacher.requireSameCanvas(config(SIZE).toBuilder().hiddenDim(16).numQueries(4).decoderLayers(1).build(), "kd_logits");
    }

    @Test
    void aFileThatIsNotACheckpointIsAnErrorNamingIt() throws Exception {
        Path bad = Files.writeString(tmp.resolve("not_a_checkpoint.zip"), "hello");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NativeTeacher.load(bad, NativeTeacher.Options.defaults()));
        assertTrue(e.getMessage().contains("not_a_checkpoint.zip"), e.getMessage());
    }
}
