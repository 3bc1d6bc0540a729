package org.detrdistill.examples;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.CheckpointFile;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.detrdistill.distill.DistillationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@link DistillDetector} with a tiny budget: one step of a small student distilled from a saved tiny teacher. */
class DistillDetectorTest {
    private static final int SIZE = 64;
    @TempDir Path tmp;

    private static DetectorConfig config(int classes, int width, int layers, int queries) {
        return DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny")).hiddenDim(width)
                .heads(2).encoderLayers(1).decoderLayers(layers).ffnDim(width).numQueries(queries).numClasses(classes)
                .inputSize(SIZE, SIZE).build();
    }

    @Test
    void distillsAStudentForOneStepFromConfigFiles() throws Exception {
        SyntheticCocoDataset data = SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(2)
                .numValImages(0).imageWidth(SIZE).imageHeight(SIZE).maxObjects(2).seed(5).build(), tmp.resolve("synth"), 1);
        int classes = data.config().classes().size();

        // a teacher checkpoint, as the trainer writes it (here: freshly initialised)
        DetectorGraph teacher = Detectors.build(config(classes, 32, 2, 6), DataType.FLOAT, 1);
        Path checkpoint = tmp.resolve("teacher.zip");
        CheckpointFile.write(Checkpoint.capture(teacher.sameDiff(), teacher.config(),
                new AdamW(AdamWConfig.builder().build(), ParamGroups.uniform()), TrainingState.initial(), new SplitMix64(1)), checkpoint);

        Path student = tmp.resolve("student.json");
        config(classes, 16, 1, 4).write(student);
        Path distill = Files.writeString(tmp.resolve("distill.json"), """
                {"teacher": {"checkpoint": "%s", "scoreThreshold": 0.0},
                 "terms": {"kd_logits": {}, "teach_detr": {"lambda": 0.5}}}""".formatted(checkpoint.toString().replace("\\", "\\\\")));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Path out = tmp.resolve("run");
        TrainingState done;
        try (PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            done = DistillDetector.run(data.annotations(SyntheticSplit.TRAIN), data.imageDir(SyntheticSplit.TRAIN),
                    DetectorConfig.read(student), DistillationConfig.read(distill),
                    TrainerConfig.builder(Variant.CONDITIONAL_DETR).epochs(1).maxIterations(1).build(), out, ps);
        }
        String log = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(log);
        assertEquals(1, done.step());
        assertTrue(Files.isRegularFile(out.resolve("last.zip")), "the student's checkpoint");
        assertTrue(log.contains("teacher: native conditional_detr"), log);
        String step = log.lines().filter(l -> l.startsWith("step 0 ")).findFirst().orElseThrow(() -> new AssertionError(log));
        for (String term : new String[]{"loss_ce=", "kd_logits_0=", "teach_detr_teacher="}) {
            assertTrue(step.contains(term), term + " in " + step);
        }
        assertFalse(step.contains("NaN") || step.contains("Infinity"), step);
    }
}
