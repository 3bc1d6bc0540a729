package org.detrdistill.core.inference;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.core.train.CanvasData;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoImageInfo;
import org.detrdistill.datasets.eval.DetectionResult;
import org.detrdistill.datasets.image.ImageDecodeException;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Inference on image files agrees with the evaluation path (COCO iterator, same resize and padding, same
 * post-processing): images of 96x80 on a 64x64 canvas, so resizing, padding and the mapping back to original pixels
 * are all exercised.
 */
class ImagePredictorTest {
    @TempDir static Path tmp;
    private static CocoDataset val;
    private static DetectorGraph detector;

    @BeforeAll
    static void setUp() throws Exception {
        SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(1).numValImages(5).imageWidth(96)
                .imageHeight(80).maxObjects(2).seed(11).build(), tmp.resolve("data"), 1);
        val = CocoSplit.inDataDir(tmp.resolve("data"), "val").read();
        DetectorConfig c = DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny"))
                .hiddenDim(32).heads(2).encoderLayers(1).decoderLayers(1).ffnDim(32).numQueries(6)
                .numClasses(val.categories().size()).inputSize(64, 64).build();
        detector = Detectors.build(c, DataType.FLOAT, 3);
    }

    private static List<DetectionResult> sorted(List<DetectionResult> r) {
        List<DetectionResult> s = new ArrayList<>(r);
        s.sort(Comparator.comparingLong(DetectionResult::imageId).thenComparing(DetectionResult::score, Comparator.reverseOrder())
                .thenComparingInt(DetectionResult::categoryId));
        return s;
    }

    @Test
    void matchesTheEvaluationPathAndMapsBoxesToOriginalPixels() throws Exception {
        List<DetectionResult> expected = sorted(CanvasData.evaluator(val, detector.config(), 2, 0, 10).predict(detector));
        List<Path> files = new ArrayList<>();
        long[] ids = new long[val.size()];
        for (int i = 0; i < val.size(); i++) {
            CocoImageInfo img = val.image(i);
            files.add(val.imageRoot().orElseThrow().resolve(img.fileName()));
            ids[i] = img.id();
        }
        List<Detections> dets = new ImagePredictor(detector, 10, 0.0, 3).predict(files, ids);
        assertEquals(val.size(), dets.size());
        List<DetectionResult> actual = new ArrayList<>();
        for (Detections d : dets) actual.addAll(d.toResults(val.categories()::categoryIdOf));
        actual = sorted(actual);
        assertEquals(expected.size(), actual.size());
        double maxX = 0;
        for (int i = 0; i < expected.size(); i++) {
            DetectionResult e = expected.get(i), a = actual.get(i);
            assertEquals(e.imageId(), a.imageId());
            assertEquals(e.categoryId(), a.categoryId());
            assertEquals(e.score(), a.score(), 1e-5);
            assertArrayEquals(e.bbox(), a.bbox(), 1e-3);
            maxX = Math.max(maxX, a.x() + a.width());
        }
        assertTrue(maxX > 64, "boxes are in pixels of the 96x80 originals, not of the 64x64 canvas: max x1 " + maxX);
    }

    @Test
    void theThresholdKeepsTheBestDetectionsOnly() throws Exception {
        Path f = val.imageRoot().orElseThrow().resolve(val.image(0).fileName());
        Detections all = new ImagePredictor(detector, 20, 0.0, 1).predict(List.of(f), new long[] {7}).get(0);
        double cut = all.score(all.size() / 2);
        Detections kept = new ImagePredictor(detector, 20, cut, 1).predict(List.of(f), new long[] {7}).get(0);
        assertEquals(7, kept.imageId());
        assertTrue(kept.size() >= all.size() / 2 + 1 && kept.size() < all.size(), kept.size() + " of " + all.size());
        for (int i = 0; i < kept.size(); i++) {
            assertTrue(kept.score(i) >= cut);
            assertEquals(all.score(i), kept.score(i), 1e-6);
        }
    }

    @Test
    void badInputIsNamed() {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> new ImagePredictor(detector, 10, 0.3, 2)
                .predict(List.of(tmp.resolve("missing.jpg")), new long[] {1}));
        assertTrue(e.getMessage().contains("missing.jpg"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ImagePredictor(detector, 10, 1.5, 2));
        assertThrows(IllegalArgumentException.class, () -> new ImagePredictor(detector, 10, 0.3, 0));
        assertThrows(IllegalArgumentException.class, () -> new ImagePredictor(detector, 10, 0.3, 1)
                .predict(List.of(tmp), new long[] {1, 2}));
    }
}
