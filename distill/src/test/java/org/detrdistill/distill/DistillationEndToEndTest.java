package org.detrdistill.distill;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.DetectorEvaluator;
import org.detrdistill.core.train.DetectorTrainer;
import org.detrdistill.core.train.StepMetrics;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.TrainingListener;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.coco.CocoReadOptions;
import org.detrdistill.datasets.eval.CocoResults;
import org.detrdistill.datasets.eval.DetectionResult;
import org.detrdistill.datasets.image.DetrTransforms;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.detrdistill.distill.teachdetr.TeachDetrTerm;
import org.detrdistill.distill.teacher.NativeTeacher;
import org.detrdistill.distill.teacher.ResultsFileTeacher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole pipeline on synthetic data: a tiny Conditional DETR teacher is trained for two steps and saved; its
 * detections on the training set are written as a COCO results file; a smaller student (half the width, one decoder
 * stage instead of two, four queries instead of six) is trained through {@link DetectorTrainer} with the detection
 * loss + DETRDistill logits distillation (native teacher from the checkpoint) + Teach-DETR (the results file).
 */
class DistillationEndToEndTest {
    private static final int SIZE = 64;
    @TempDir Path tmp;

    private static CocoDetectionIterator batches(CocoDataset ds, boolean shuffle) {
        return CocoDetectionIterator.builder(ds).imageRoot(ds.imageRoot().orElseThrow())
                .config(LoaderConfig.builder().batchSize(2).workers(0).shuffle(shuffle).seed(9).canvas(SIZE, SIZE).build())
                .transform(DetrTransforms.eval(SIZE, SIZE)).build();
    }

    private static DetectorGraph detector(int classes, int width, int decoderLayers, int queries, long seed) {
        DetectorConfig c = DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny"))
                .hiddenDim(width).heads(2).encoderLayers(1).decoderLayers(decoderLayers).ffnDim(width).numQueries(queries)
                .numClasses(classes).inputSize(SIZE, SIZE).build();
        return Detectors.build(c, DataType.FLOAT, seed);
    }

    /** Every step's metrics. */
    private static final class Recorder implements TrainingListener {
        final List<StepMetrics> steps = new ArrayList<>();
        @Override public void onStepEnd(StepMetrics m) { steps.add(m); }
    }

    private static Map<String, INDArray> arrays(DetectorGraph g) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (SDVariable v : g.sameDiff().variables()) {
            boolean weight = v.getVariableType() == VariableType.CONSTANT || v.getVariableType() == VariableType.VARIABLE;
            if (weight && v.getArr() != null) m.put(v.name(), v.getArr().dup());
        }
        return m;
    }

    @Test
    void trainsAStudentWithLogitsDistillationAndTeachDetrFromATrainedTeacher() throws Exception {
        SyntheticCocoDataset data = SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(4)
                .numValImages(0).imageWidth(SIZE).imageHeight(SIZE).maxObjects(2).seed(3).build(), tmp.resolve("synth"), 1);
        CocoDataset train = CocoInstancesReader.read(data.annotations(SyntheticSplit.TRAIN),
                CocoReadOptions.builder().imageRoot(data.imageDir(SyntheticSplit.TRAIN)).build());
        int classes = train.categories().size();

        // 1. the teacher: 2 steps, checkpoint runs/teacher/last.zip
        TrainerConfig twoSteps = TrainerConfig.builder(Variant.CONDITIONAL_DETR).epochs(1).maxIterations(2).lr(1e-3).build();
        Path teacherRun = tmp.resolve("teacher");
        DetectorTrainer teacherTrainer = new DetectorTrainer(detector(classes, 32, 2, 6, 1), twoSteps, teacherRun, List.of());
        teacherTrainer.fit(batches(train, true), null, false);
        Path checkpoint = teacherRun.resolve("last.zip");
        assertTrue(Files.isRegularFile(checkpoint));

        // 2. its detections on the training images, as an offline teacher would deliver them
        DetectorEvaluator predictor = new DetectorEvaluator(() -> batches(train, false), train.categories(), train.file(), 100);
        List<DetectionResult> detections = predictor.predict(teacherTrainer.objective().detector());
        Path results = tmp.resolve("teacher_results.json");
        CocoResults.write(results, detections);
        int perImage = Math.min(100, 6 * classes);   // top-100 over Q x C pairs
        assertEquals(4 * perImage, detections.size());

        // 3. the student: width 16 (teacher 32), 1 decoder stage (teacher 2), 4 queries (teacher 6)
        DistillationConfig config = DistillationConfig.builder(TeacherSpec.checkpoint(checkpoint))
                .term("kd_logits")
                .term("teach_detr", null, Map.of("primary", false, "teachers",
                        List.of(Map.of("name", "offline", "results", results.toString(), "scoreThreshold", 0.0))))
                .build();
        DistillationConfig parsed = DistillationConfig.fromJson(config.toJson(), "e2e");
        DetectorGraph student = detector(classes, 16, 1, 4, 2);
        Recorder recorder = new Recorder();
        try (Distillation distillation = Distillation.create(parsed, new DetectionObjective(student), train)) {
            NativeTeacher teacher = (NativeTeacher) distillation.teacher();
            assertEquals(2, distillation.teachers().size());
            ResultsFileTeacher offline = (ResultsFileTeacher) distillation.teachers().get(1);
            assertEquals(4 * Math.min(50, perImage), offline.summary().kept(), "threshold 0: the cap of 50 per image");
            Map<String, INDArray> before = arrays(teacher.detector());
            assertFalse(before.isEmpty());

            new DetectorTrainer(distillation.objective(), twoSteps, tmp.resolve("student"), List.of(recorder))
                    .fit(batches(train, true), null, false);

            assertEquals(2, recorder.steps.size());
            for (StepMetrics m : recorder.steps) {
                assertTrue(Double.isFinite(m.totalLoss()), "total " + m.totalLoss());
                for (String term : List.of("loss_ce", "loss_bbox", "loss_giou", "kd_logits_0", "teach_detr_offline")) {
                    assertTrue(m.weighted().containsKey(term), term + " in " + m.weighted().keySet());
                    assertTrue(Double.isFinite(m.weighted().get(term)) && m.weighted().get(term) > 0, term + " = " + m.weighted().get(term));
                    assertTrue(m.unweighted().containsKey(term), term + " in " + m.unweighted().keySet());
                }
                double sum = m.weighted().values().stream().mapToDouble(Double::doubleValue).sum();
                assertEquals(m.totalLoss(), sum, 1e-9 * Math.abs(sum));
                System.out.println("distillation step " + m.step() + ": " + m.weighted());
            }
            assertEquals(2, teacher.forwardCount(), "the teacher ran exactly once per batch");
            Map<String, INDArray> after = arrays(teacher.detector());
            assertTrue(before.keySet().equals(after.keySet()), "the teacher's weights are the same set");
            for (String n : before.keySet()) {
                assertArrayEquals(before.get(n).data().asDouble(), after.get(n).data().asDouble(), 0, n + " changed");
            }
            for (SDVariable v : teacher.detector().sameDiff().variables()) {
                assertNotEquals(VariableType.VARIABLE, v.getVariableType(), "teacher variable " + v.name());
            }
            assertTrue(distillation.objective().terms().stream().anyMatch(t -> t instanceof TeachDetrTerm));
            assertTrue(Files.isRegularFile(tmp.resolve("student").resolve("last.zip")), "the student's checkpoint");
        }
    }
}
