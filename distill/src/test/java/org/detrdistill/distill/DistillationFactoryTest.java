package org.detrdistill.distill;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.CheckpointFile;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.coco.CocoReadOptions;
import org.detrdistill.datasets.eval.CocoResults;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.detrdistill.distill.detrdistill.HungarianLogitsDistillation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Distillation#create}: which teacher/student pairs each term allows, and the errors (naming the term and the
 * reason) for those it does not.
 */
class DistillationFactoryTest {
    private static final int SIZE = 64;
    @TempDir static Path tmp;
    private static CocoDataset train;
    private static int classes;
    private static Path teacher;
    private static Path results;

    private static DetectorConfig config(int classes, int width, int layers, int queries, int size) {
        return DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny")).hiddenDim(width)
                .heads(2).encoderLayers(1).decoderLayers(layers).ffnDim(width).numQueries(queries).numClasses(classes)
                .inputSize(size, size).build();
    }

    @BeforeAll
    static void teacherAndData() throws Exception {
        SyntheticCocoDataset data = SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(1)
                .numValImages(0).imageWidth(SIZE).imageHeight(SIZE).maxObjects(1).seed(2).build(), tmp.resolve("synth"), 1);
        train = CocoInstancesReader.read(data.annotations(SyntheticSplit.TRAIN),
                CocoReadOptions.builder().imageRoot(data.imageDir(SyntheticSplit.TRAIN)).build());
        classes = train.categories().size();
        DetectorGraph g = Detectors.build(config(classes, 32, 2, 6, SIZE), DataType.FLOAT, 1);
        teacher = tmp.resolve("teacher.zip");
        CheckpointFile.write(Checkpoint.capture(g.sameDiff(), g.config(), new AdamW(AdamWConfig.builder().build(),
                ParamGroups.uniform()), TrainingState.initial(), new SplitMix64(1)), teacher);
        results = tmp.resolve("results.json");
        CocoResults.write(results, List.of());
    }

    private static IllegalArgumentException refused(DistillationConfig cfg, DetectorConfig student) {
        DetectionObjective detection = new DetectionObjective(Detectors.build(student, DataType.FLOAT, 3));
        return assertThrows(IllegalArgumentException.class, () -> Distillation.create(cfg, detection, train));
    }

    @Test
    void aStudentThatDiffersInWidthDepthAndQueriesIsAllowed() {
        DistillationConfig cfg = DistillationConfig.builder(TeacherSpec.checkpoint(teacher)).term("kd_logits").term("teach_detr").build();
        DetectionObjective detection = new DetectionObjective(Detectors.build(config(classes, 16, 1, 4, SIZE), DataType.FLOAT, 3));
        try (Distillation d = Distillation.create(cfg, detection, train)) {
            assertEquals(List.of("loss_ce", "loss_bbox", "loss_giou", "kd_logits_0", "teach_detr_teacher"), d.objective().termNames());
            HungarianLogitsDistillation kd = (HungarianLogitsDistillation) d.objective().terms().get(0);
            assertArrayEquals(new int[]{1}, kd.grouping().mapping(), "student stage 0 <- teacher stage 1");
        }
    }

    @Test
    void logitsDistillationNeedsTeacherStagesAtLeastAsDeepAsTheStudent() {
        IllegalArgumentException deeper = refused(DistillationConfig.builder(TeacherSpec.checkpoint(teacher)).term("kd_logits").build(),
                config(classes, 16, 3, 4, SIZE));
        assertTrue(deeper.getMessage().contains("'kd_logits'") && deeper.getMessage().contains("at least as deep"), deeper.getMessage());
        IllegalArgumentException offline = refused(DistillationConfig.builder(TeacherSpec.results(results, 0.3)).term("kd_logits").build(),
                config(classes, 16, 1, 4, SIZE));
        assertTrue(offline.getMessage().contains("'kd_logits'") && offline.getMessage().contains("results-file teacher"),
                offline.getMessage());
    }

    @Test
    void teacherAndStudentMustShareCanvasAndClasses() {
        DistillationConfig cfg = DistillationConfig.builder(TeacherSpec.checkpoint(teacher)).term("kd_logits").build();
        IllegalArgumentException canvas = refused(cfg, config(classes, 16, 1, 4, 96));
        assertTrue(canvas.getMessage().contains("share the canvas"), canvas.getMessage());
        IllegalArgumentException labels = refused(cfg, config(classes + 1, 16, 1, 4, SIZE));
        assertTrue(labels.getMessage().contains("same classes"), labels.getMessage());
        IllegalArgumentException teach = refused(DistillationConfig.builder(TeacherSpec.checkpoint(teacher)).term("teach_detr").build(),
                config(classes + 1, 16, 1, 4, SIZE));
        assertTrue(teach.getMessage().contains("teach_detr") && teach.getMessage().contains("same classes"), teach.getMessage());
    }

    @Test
    void badOptionsAndNamesAreRefusedBeforeTraining() {
        IllegalArgumentException unknown = refused(DistillationConfig.builder(TeacherSpec.checkpoint(teacher)).term("kd_logit").build(),
                config(classes, 16, 1, 4, SIZE));
        assertTrue(unknown.getMessage().contains("[kd_logits, teach_detr, kd_feat, kd_relation, kd_assign, fitnet, mgd]"), unknown.getMessage());
        IllegalArgumentException option = refused(DistillationConfig.builder(TeacherSpec.checkpoint(teacher))
                .term("teach_detr", null, Map.of("unmatched", 0.5)).build(), config(classes, 16, 1, 4, SIZE));
        assertTrue(option.getMessage().contains("terms.teach_detr") && option.getMessage().contains("unmatchedWeight"), option.getMessage());
        IllegalArgumentException none = refused(DistillationConfig.builder(TeacherSpec.checkpoint(teacher))
                .term("teach_detr", null, Map.of("primary", false)).build(), config(classes, 16, 1, 4, SIZE));
        assertTrue(none.getMessage().contains("no teacher"), none.getMessage());
        IllegalArgumentException missing = refused(DistillationConfig.builder(TeacherSpec.checkpoint(tmp.resolve("nope.zip")))
                .term("kd_logits").build(), config(classes, 16, 1, 4, SIZE));
        assertTrue(missing.getMessage().contains("nope.zip"), missing.getMessage());
    }
}
