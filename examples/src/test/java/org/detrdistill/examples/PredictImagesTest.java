package org.detrdistill.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link PredictImages} on two generated images with an (untrained) detector saved as a training folder would hold it:
 * results.json lists every detection, one PNG per image.
 */
class PredictImagesTest {
    @TempDir Path tmp;

    @Test
    void writesResultsAndDrawings() throws Exception {
        SyntheticCocoDataset data = SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(0)
                .numValImages(2).imageWidth(80).imageHeight(64).build(), tmp.resolve("data"), 1);
        DetectorConfig config = DetectorPresets.get("conditional_detr_tiny").toBuilder().numClasses(6).hiddenDim(32)
                .heads(2).encoderLayers(1).decoderLayers(1).ffnDim(32).numQueries(5).inputSize(64, 64).build();
        DetectorGraph detector = Detectors.build(config, DataType.FLOAT, 3);
        Path run = tmp.resolve("run");
        new CheckpointStore(run).saveLast(Checkpoint.capture(detector.sameDiff(), config,
                new AdamW(AdamWConfig.detr(), ParamGroups.uniform()), TrainingState.initial(), new SplitMix64(1)), false);
        TrainedDetector.writeCategories(run, org.detrdistill.datasets.coco.CocoInstancesReader
                .read(data.annotations(SyntheticSplit.VAL)).categories());

        List<Path> images;
        try (Stream<Path> s = Files.list(data.imageDir(SyntheticSplit.VAL))) {
            images = s.sorted().toList();
        }
        Path out = tmp.resolve("out");
        List<Detections> dets = PredictImages.predict(run, images, out, 0.0);
        assertEquals(2, dets.size());
        assertEquals(2, dets.get(1).imageId());
        assertEquals(30, dets.get(0).size(), "top 100 of 5 queries x 6 classes, all kept at threshold 0");
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(60, results.size());
        for (Path img : images) {
            Path png = out.resolve(img.getFileName().toString().replace(".jpg", ".png"));
            assertEquals(640, ImageIO.read(png.toFile()).getWidth(), png + ": 80x64 drawn at a 512-pixel short side");
        }
    }
}
