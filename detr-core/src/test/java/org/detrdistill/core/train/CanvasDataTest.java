package org.detrdistill.core.train;

import org.detrdistill.datasets.image.DecodedImage;
import org.detrdistill.datasets.image.DetectionSample;
import org.detrdistill.datasets.image.DetectionTransform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Images of any size and orientation end up inside the detector's canvas, boxes following; dataset layout checks. */
class CanvasDataTest {
    @TempDir Path tmp;

    private static DetectionSample sample(int w, int h) {
        byte[] bgr = new byte[w * h * 3];
        for (int i = 0; i < bgr.length; i++) bgr[i] = (byte) (i * 7);
        // one box covering the middle half of the image, x0 y0 x1 y1 in pixels
        return new DetectionSample(1, DecodedImage.fromBgr(bgr, w, h), new float[] {w / 4f, h / 4f, 3 * w / 4f, 3 * h / 4f},
                new int[] {0}, w, h);
    }

    @Test
    void evalResizeFitsEveryShapeIntoTheCanvasAndScalesTheBoxes() {
        int[][] canvases = {{128, 128}, {96, 128}, {128, 96}, {64, 200}};
        int[][] images = {{128, 128}, {100, 300}, {300, 100}, {640, 480}, {480, 640}, {50, 40}, {1000, 333}, {97, 131}};
        for (int[] c : canvases) {
            DetectionTransform t = CanvasData.evalTransform(c[0], c[1]);
            for (int[] im : images) {
                DetectionSample out = t.apply(sample(im[0], im[1]), new SplittableRandom(1));
                int w = out.image().width(), h = out.image().height();
                String what = im[0] + "x" + im[1] + " on canvas " + c[1] + "x" + c[0] + " -> " + w + "x" + h;
                assertTrue(w <= c[1] && h <= c[0], what);
                assertTrue(w >= c[1] - 1 || h >= c[0] - 1, "fills one side of the canvas (to DETR's rounding): " + what);
                assertEquals((double) im[0] / im[1], (double) w / h, 0.05 * im[0] / im[1] + 0.02, "aspect ratio: " + what);
                float[] b = out.boxes();
                assertEquals(w / 4.0, b[0], 1.0, what);
                assertEquals(3 * h / 4.0, b[3], 1.0, what);
                out.image().close();
            }
        }
    }

    @Test
    void fitInsideOnlyShrinksAndCoversDetrsRoundingOverflow() {
        // DETR's resize of 100x300 to a 128 shortest side capped at 128 gives 43x129: one pixel over
        DetectionSample detr = CanvasData.evalTransform(128, 128).apply(sample(100, 300), new SplittableRandom(1));
        assertTrue(detr.image().height() <= 128, "height " + detr.image().height());
        detr.image().close();
        DetectionSample small = sample(40, 30);
        assertSame(small, CanvasData.fitInside(64, 64).apply(small, new SplittableRandom(1)), "fitting images are untouched");
        DetectionSample big = CanvasData.fitInside(64, 64).apply(sample(200, 100), new SplittableRandom(1));
        assertEquals(64, big.image().width());
        assertEquals(32, big.image().height());
        assertArrayEquals(new float[] {16, 8, 48, 24}, big.boxes(), 1e-4f);
        big.image().close();
        small.image().close();
    }

    @Test
    void trainAugmentationStaysInsideTheCanvas() {
        DetectionTransform t = CanvasData.trainTransform(96, 128);
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 40; i++) {
            DetectionSample out = t.apply(sample(200 + 13 * i, 120 + 29 * (i % 7)), rng);
            assertTrue(out.image().width() <= 128 && out.image().height() <= 96, out.image().toString());
            out.image().close();
        }
    }

    @Test
    void cocoSplitNamesTheExpectedLayoutWhenFilesAreMissing() throws Exception {
        CocoSplit s = CocoSplit.inDataDir(tmp, "val");
        assertEquals(tmp.resolve("annotations/instances_val.json"), s.annotations());
        assertEquals(tmp.resolve("val"), s.images());
        NoSuchFileException e = assertThrows(NoSuchFileException.class, s::read);
        assertEquals(s.annotations().toString(), e.getFile());
        assertTrue(e.getReason().contains("annotations/instances_<split>.json"), e.getReason());
        Files.createDirectories(s.annotations().getParent());
        Files.writeString(s.annotations(), "{\"images\": [], \"categories\": [{\"id\": 3, \"name\": \"cat\"}]}");
        NoSuchFileException noImages = assertThrows(NoSuchFileException.class, s::read);
        assertEquals(s.images().toString(), noImages.getFile());
        Files.createDirectories(s.images());
        assertEquals(1, s.read().categories().size());
        assertThrows(IllegalArgumentException.class, () -> CocoSplit.inDataDir(tmp, "../x"));
    }
}
