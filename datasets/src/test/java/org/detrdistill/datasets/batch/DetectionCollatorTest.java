package org.detrdistill.datasets.batch;

import org.detrdistill.datasets.image.DecodedImage;
import org.detrdistill.datasets.image.DetectionSample;
import org.detrdistill.datasets.image.ImageTensors;
import org.detrdistill.datasets.image.Normalization;
import org.detrdistill.datasets.testutil.TestImages;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionCollatorTest {

    private static DetectionSample sample(long id, int w, int h, float[] boxes, int[] labels) {
        return new DetectionSample(id, DecodedImage.fromBgr(TestImages.patternBgr(w, h), w, h), boxes, labels, 2 * w, 2 * h);
    }

    @Test
    void padsBottomRightMasksPaddingAndNormalisesBoxesPerImage() {
        DetectionSample a = sample(1, 6, 4, new float[]{0, 0, 3, 2, 3, 1, 6, 4}, new int[]{2, 0});
        DetectionSample b = sample(2, 3, 5, new float[]{1, 1, 2, 5}, new int[]{1});
        INDArray refA, refB;
        try (DecodedImage ia = DecodedImage.fromBgr(TestImages.patternBgr(6, 4), 6, 4);
             DecodedImage ib = DecodedImage.fromBgr(TestImages.patternBgr(3, 5), 3, 5)) {
            refA = ImageTensors.toTensor(ia, Normalization.IMAGENET);
            refB = ImageTensors.toTensor(ib, Normalization.IMAGENET);
        }
        DetectionBatch batch = DetectionCollator.collate(List.of(a, b), Normalization.IMAGENET, 1);
        assertArrayEquals(new long[]{2, 3, 5, 6}, batch.images().shape());
        assertArrayEquals(new long[]{2, 5, 6}, batch.mask().shape());
        assertEquals(2, batch.size());

        INDArray imgA = batch.images().get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(0, 4),
                NDArrayIndex.interval(0, 6));
        assertTrue(refA.reshape(3, 4, 6).equalsWithEps(imgA, 1e-5));
        INDArray imgB = batch.images().get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(0, 5),
                NDArrayIndex.interval(0, 3));
        assertTrue(refB.reshape(3, 5, 3).equalsWithEps(imgB, 1e-5));
        assertEquals(0.0, batch.images().get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(4),
                NDArrayIndex.all()).sumNumber().doubleValue(), 0.0, "bottom padding row of image 0");
        assertEquals(0.0, batch.images().get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(3, 6)).amaxNumber().doubleValue(), 0.0, "right padding of image 1");

        float[][] maskA = batch.mask().get(NDArrayIndex.point(0)).toFloatMatrix();
        float[][] maskB = batch.mask().get(NDArrayIndex.point(1)).toFloatMatrix();
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                assertEquals(y < 4 && x < 6 ? 0f : 1f, maskA[y][x], "mask 0 at " + y + "," + x);
                assertEquals(y < 5 && x < 3 ? 0f : 1f, maskB[y][x], "mask 1 at " + y + "," + x);
            }
        }

        ImageTarget ta = batch.targets().get(0);
        assertEquals(1, ta.imageId());
        assertArrayEquals(new int[]{2, 0}, ta.labels());
        assertEquals(4, ta.height());
        assertEquals(6, ta.width());
        assertEquals(8, ta.origHeight());
        assertEquals(12, ta.origWidth());
        assertArrayEquals(new float[]{1.5f / 6, 1f / 4, 3f / 6, 2f / 4}, ta.boxes().getRow(0).toFloatVector(), 1e-6f);
        assertArrayEquals(new float[]{4.5f / 6, 2.5f / 4, 3f / 6, 3f / 4}, ta.boxes().getRow(1).toFloatVector(), 1e-6f);
        ImageTarget tb = batch.targets().get(1);
        assertArrayEquals(new float[]{1.5f / 3, 3f / 5, 1f / 3, 4f / 5}, tb.boxes().getRow(0).toFloatVector(), 1e-6f);
    }

    @Test
    void sizeDivisibilityRoundsThePaddedSizeUp() {
        DetectionBatch batch = DetectionCollator.collate(List.of(sample(1, 9, 3, new float[0], new int[0])),
                Normalization.IMAGENET, 8);
        assertArrayEquals(new long[]{1, 3, 8, 16}, batch.images().shape());
        assertEquals(16 * 8 - 9 * 3, batch.mask().sumNumber().intValue());
    }

    @Test
    void canvasPadsEveryBatchToTheFixedSizeAndRejectsLargerImages() {
        DetectionBatch batch = DetectionCollator.collate(List.of(sample(1, 6, 4, new float[]{0, 0, 3, 2}, new int[]{1})),
                Normalization.UNIT, 1, 8, 10);
        assertArrayEquals(new long[]{1, 3, 8, 10}, batch.images().shape());
        assertArrayEquals(new long[]{1, 8, 10}, batch.mask().shape());
        assertEquals(0.0, batch.mask().getDouble(0, 3, 5), 0.0);   // inside the 6x4 image
        assertEquals(1.0, batch.mask().getDouble(0, 4, 5), 0.0);   // below it
        assertEquals(1.0, batch.mask().getDouble(0, 3, 6), 0.0);   // right of it
        // boxes stay normalised by the image's own size, not the canvas
        assertEquals(0.25, batch.targets().get(0).boxes().getDouble(0, 0), 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectionCollator.collate(
                List.of(sample(7, 12, 4, new float[0], new int[0])), Normalization.UNIT, 1, 8, 10));
        assertTrue(e.getMessage().contains("image 7") && e.getMessage().contains("canvas"), e.getMessage());
    }

    @Test
    void imagesWithoutObjectsGetEmptyTargets() {
        DetectionBatch batch = DetectionCollator.collate(List.of(sample(3, 4, 4, new float[0], new int[0])),
                Normalization.UNIT, 1);
        ImageTarget t = batch.targets().get(0);
        assertEquals(0, t.size());
        assertArrayEquals(new long[]{0, 4}, t.boxes().shape());
    }

    @Test
    void collateClosesTheImagesAndRejectsEmptyInput() {
        DetectionSample s = sample(1, 4, 4, new float[0], new int[0]);
        DetectionCollator.collate(List.of(s), Normalization.UNIT, 1);
        assertTrue(s.image().isClosed());
        assertThrows(IllegalStateException.class, () -> s.image().toBgr());
        assertThrows(IllegalArgumentException.class, () -> DetectionCollator.collate(List.of(), Normalization.UNIT, 1));
    }
}
