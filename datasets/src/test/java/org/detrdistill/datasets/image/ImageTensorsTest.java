package org.detrdistill.datasets.image;

import org.detrdistill.datasets.testutil.TestImages;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DataVec conversion (reference) and the direct one (fast path) agree, and both normalise RGB correctly. */
class ImageTensorsTest {

    @Test
    void dataVecPathGivesRgbNormalisedChannelsFirst() {
        byte[] bgr = {(byte) 128, 0, (byte) 255, 10, 20, 30};   // pixel 0: R 255, G 0, B 128; pixel 1: R 30, G 20, B 10
        try (DecodedImage img = DecodedImage.fromBgr(bgr, 2, 1)) {
            INDArray t = ImageTensors.toTensor(img, Normalization.IMAGENET);
            assertArrayEquals(new long[]{1, 3, 1, 2}, t.shape());
            assertEquals(DataType.FLOAT, t.dataType());
            assertEquals((1f - 0.485f) / 0.229f, t.getFloat(0, 0, 0, 0), 1e-5);
            assertEquals((0f - 0.456f) / 0.224f, t.getFloat(0, 1, 0, 0), 1e-5);
            assertEquals((128f / 255 - 0.406f) / 0.225f, t.getFloat(0, 2, 0, 0), 1e-5);
            assertEquals((30f / 255 - 0.485f) / 0.229f, t.getFloat(0, 0, 0, 1), 1e-5);
            assertEquals((10f / 255 - 0.406f) / 0.225f, t.getFloat(0, 2, 0, 1), 1e-5);
        }
    }

    @Test
    void directPathEqualsDataVecPath() {
        int w = 19, h = 11;
        try (DecodedImage img = DecodedImage.fromBgr(TestImages.patternBgr(w, h), w, h)) {
            float[] ref = ImageTensors.toTensor(img, Normalization.IMAGENET).data().asFloat();
            float[] fast = new float[3 * h * w];
            ImageTensors.writeChw(img, Normalization.IMAGENET, fast, 0, h * w, w);
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], fast[i], 1e-6f * Math.max(1f, Math.abs(ref[i])), "element " + i);
            }
        }
    }

    @Test
    void directPathWritesIntoAPaddedPlaneAndLeavesPaddingAlone() {
        int w = 3, h = 2, W = 5, H = 4, offset = 7;
        float[] dst = new float[offset + 3 * H * W];
        Arrays.fill(dst, Float.NaN);
        try (DecodedImage img = DecodedImage.fromBgr(TestImages.patternBgr(w, h), w, h)) {
            ImageTensors.writeChw(img, Normalization.UNIT, dst, offset, H * W, W);
        }
        int written = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    float v = dst[offset + c * H * W + y * W + x];
                    if (x < w && y < h) {
                        int rgb = TestImages.pattern(x, y);
                        int expected = (rgb >> (8 * (2 - c))) & 0xFF;
                        assertEquals(expected / 255f, v, 1e-6f);
                        written++;
                    } else {
                        assertTrue(Float.isNaN(v), "padding at c" + c + " y" + y + " x" + x);
                    }
                }
            }
        }
        assertEquals(3 * w * h, written);
        for (int i = 0; i < offset; i++) {
            assertTrue(Float.isNaN(dst[i]));
        }
        try (DecodedImage img = DecodedImage.fromBgr(TestImages.patternBgr(w, h), w, h)) {
            assertThrows(IllegalArgumentException.class,
                    () -> ImageTensors.writeChw(img, Normalization.UNIT, new float[10], 0, 6, 3));
        }
    }

    @Test
    void normalizationValidatesAndCopies() {
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[]{0, 0}, new float[]{1, 1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[3], new float[]{1, 0, 1}));
        float[] mean = Normalization.IMAGENET.mean();
        mean[0] = 9;
        assertEquals(0.485f, Normalization.IMAGENET.mean()[0]);
        assertEquals(Normalization.IMAGENET, new Normalization(new float[]{0.485f, 0.456f, 0.406f},
                new float[]{0.229f, 0.224f, 0.225f}));
    }
}
