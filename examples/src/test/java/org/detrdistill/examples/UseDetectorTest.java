package org.detrdistill.examples;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.CheckpointStore;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** {@link UseDetector}, the README's snippet, on a saved (untrained) detector and two generated images. */
class UseDetectorTest {
    @TempDir Path tmp;

    @Test
    void runsTheReadmeSnippet() throws Exception {
        SyntheticCocoDataset data = SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(0)
                .numValImages(2).imageWidth(64).imageHeight(64).build(), tmp.resolve("data"), 1);
        DetectorConfig config = DetectorPresets.get("conditional_detr_tiny").toBuilder().numClasses(6).hiddenDim(32)
                .heads(2).encoderLayers(1).decoderLayers(1).ffnDim(32).numQueries(5).inputSize(64, 64).build();
        DetectorGraph detector = Detectors.build(config, DataType.FLOAT, 3);
        Path run = tmp.resolve("run");
        new CheckpointStore(run).saveLast(Checkpoint.capture(detector.sameDiff(), config,
                new AdamW(AdamWConfig.detr(), ParamGroups.uniform()), TrainingState.initial(), new SplitMix64(1)), false);
        List<Path> images;
        try (Stream<Path> s = Files.list(data.imageDir(SyntheticSplit.VAL))) {
            images = s.sorted().toList();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        List<Detections> dets;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            dets = UseDetector.run(run, images, 0.0);
        } finally {
            System.setOut(stdout);
        }
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("logits [2, 5, 6], boxes [2, 5, 4]"), log);
        assertEquals(2, dets.size());
        assertEquals(30, dets.get(0).size(), "5 queries x 6 classes, all kept at threshold 0");
        assertEquals(60, log.lines().filter(l -> l.matches("\\d+\\.jpg: class_\\d+ 0\\.\\d\\d")).count(), log);
    }
}
