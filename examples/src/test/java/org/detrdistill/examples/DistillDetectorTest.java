package org.detrdistill.examples;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.CheckpointStore;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link DistillDetector#main} with a tiny budget: two DETRDistill steps of a small student from a saved tiny teacher
 * (a training folder), then the final evaluation on the validation split.
 */
class DistillDetectorTest {
    private static final int SIZE = 64;
    @TempDir Path tmp;

    private static DetectorConfig config(int width, int layers, int queries) {
        return DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny")).hiddenDim(width)
                .heads(2).encoderLayers(1).decoderLayers(layers).ffnDim(width).numQueries(queries).numClasses(6)
                .inputSize(SIZE, SIZE).build();
    }

    @Test
    void distillsAStudentFromATeacherFolder() throws Exception {
        Path data = tmp.resolve("data");
        SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(2).numValImages(1).imageWidth(SIZE)
                .imageHeight(SIZE).maxObjects(2).seed(5).build(), data, 1);

        // a teacher training folder, as the trainer writes it (here: freshly initialised)
        DetectorGraph teacher = Detectors.build(config(32, 2, 6), DataType.FLOAT, 1);
        Path teacherRun = tmp.resolve("teacher");
        new CheckpointStore(teacherRun).saveLast(Checkpoint.capture(teacher.sameDiff(), teacher.config(),
                new AdamW(AdamWConfig.builder().build(), ParamGroups.uniform()), TrainingState.initial(), new SplitMix64(1)), false);
        Path student = tmp.resolve("student.json");
        config(16, 1, 4).write(student);
        Path out = tmp.resolve("run");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            DistillDetector.main(new String[] {data.toString(), teacherRun.toString(), student.toString(), out.toString(),
                    "detrdistill", "2"});
        } finally {
            System.setOut(stdout);
        }
        String log = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(log);
        assertTrue(log.contains("teacher: native conditional_detr"), log);
        assertTrue(log.contains("terms: [kd_logits, kd_feat, kd_assign, kd_relation]"), log);
        String step = log.lines().filter(l -> l.startsWith("step 0 ")).findFirst().orElseThrow(() -> new AssertionError(log));
        for (String term : new String[] {"loss_ce=", "kd_logits_0=", "kd_feat_0=", "kd_assign_0=", "kd_relation_0="}) {
            assertTrue(step.contains(term), term + " in " + step);
        }
        assertFalse(step.contains("NaN") || step.contains("Infinity"), step);
        assertTrue(log.contains("done: epoch 2, step 2"), log);
        assertEquals(12, log.lines().filter(l -> l.startsWith(" Average")).count(), log);
        for (String f : new String[] {"last.zip", "best.zip", "metrics.jsonl", "categories.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
    }
}
