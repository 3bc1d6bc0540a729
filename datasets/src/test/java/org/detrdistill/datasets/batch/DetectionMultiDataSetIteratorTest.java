package org.detrdistill.datasets.batch;

import org.detrdistill.datasets.coco.CocoDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionMultiDataSetIteratorTest {

    @Test
    void padsRaggedTargetsWithAMask(@TempDir Path root) throws IOException {
        CocoDataset ds = SmallDataset.load();
        SmallDataset.writeImages(ds, root);
        LoaderConfig cfg = LoaderConfig.builder().batchSize(4).shuffle(false).workers(1).build();
        try (DetectionMultiDataSetIterator it = new DetectionMultiDataSetIterator(
                CocoDetectionIterator.builder(ds).imageRoot(root).config(cfg).build())) {
            assertTrue(it.resetSupported());
            assertFalse(it.asyncSupported());
            MultiDataSet m = it.next();   // images 1..4 with 2, 1, 1 (+crowd), 3 targets
            assertEquals(2, m.numFeatureArrays());
            assertArrayEquals(new long[]{4, 3, 36, 50}, m.getFeatures(0).shape());
            assertArrayEquals(new long[]{4, 36, 50}, m.getFeatures(1).shape());
            INDArray classes = m.getLabels(0), boxes = m.getLabels(1), valid = m.getLabelsMaskArray(0);
            assertArrayEquals(new long[]{4, 3}, classes.shape());
            assertArrayEquals(new long[]{4, 3, 4}, boxes.shape());
            assertArrayEquals(new float[][]{{1, 1, 0}, {1, 0, 0}, {1, 0, 0}, {1, 1, 1}}, valid.toFloatMatrix());
            assertArrayEquals(new float[]{2, 0, 1}, classes.getRow(3).toFloatVector());
            assertArrayEquals(new float[]{25f / 50, 10f / 20, 30f / 50, 16f / 20},
                    boxes.get(point(3), point(0), all()).toFloatVector(), 1e-6f);
            assertArrayEquals(new float[]{0, 0, 0, 0}, boxes.get(point(1), point(2), all()).toFloatVector());
            assertTrue(it.hasNext());
            it.next();
            assertFalse(it.hasNext());
            it.reset();
            assertTrue(it.hasNext());
            assertThrows(UnsupportedOperationException.class, () -> it.next(2));
        }
    }
}
