package org.detrdistill.datasets.image;

import org.detrdistill.datasets.testutil.TestImages;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Geometry and box bookkeeping of each transform, DETR size semantics, and determinism given a seed. */
class TransformsTest {

    private static DetectionSample sample(int w, int h, float[] boxes, int[] labels) {
        return new DetectionSample(5, DecodedImage.fromBgr(TestImages.patternBgr(w, h), w, h), boxes, labels, w, h);
    }

    @Test
    void outputSizeFollowsDetr() {
        assertArrayEquals(new int[]{1066, 800}, ResizeShortestSide.outputSize(640, 480, 800, 1333));
        assertArrayEquals(new int[]{800, 1066}, ResizeShortestSide.outputSize(480, 640, 800, 1333));
        // long side would exceed max: size = round(1333 * 200 / 1000) = 267, long = int(267 * 1000 / 200)
        assertArrayEquals(new int[]{1335, 267}, ResizeShortestSide.outputSize(1000, 200, 800, 1333));
        // Python rounds half to even: round(10 * 100 / 400) = round(2.5) = 2
        assertArrayEquals(new int[]{8, 2}, ResizeShortestSide.outputSize(400, 100, 50, 10));
        assertArrayEquals(new int[]{480, 640}, ResizeShortestSide.outputSize(480, 640, 480, 1333), "already that size");
        assertArrayEquals(new int[]{254, 170}, ResizeShortestSide.outputSize(640, 427, 170, 0), "no max size: int(170*640/427)");
    }

    @Test
    void resizeScalesImageAndBoxes() {
        DetectionSample s = sample(40, 20, new float[]{4, 2, 20, 10}, new int[]{3});
        DetectionSample r = ResizeShortestSide.of(10, 0).apply(s, new SplittableRandom(1));
        assertEquals(20, r.image().width());
        assertEquals(10, r.image().height());
        assertArrayEquals(new float[]{2, 1, 10, 5}, r.boxes(), 1e-6f);
        assertArrayEquals(new int[]{3}, r.labels());
        assertEquals(40, r.origWidth());
        r.image().close();
    }

    @Test
    void flipMirrorsBoxes() {
        DetectionSample s = sample(30, 10, new float[]{2, 1, 12, 9, 0, 0, 30, 10}, new int[]{1, 2});
        DetectionSample f = new RandomHorizontalFlip(1).apply(s, new SplittableRandom(1));
        assertArrayEquals(new float[]{18, 1, 28, 9, 0, 0, 30, 10}, f.boxes(), 0f);
        assertArrayEquals(new int[]{1, 2}, f.labels());
        f.image().close();
        DetectionSample t = sample(30, 10, new float[]{2, 1, 12, 9}, new int[]{1});
        assertSame(t, new RandomHorizontalFlip(0).apply(t, new SplittableRandom(1)));
        t.image().close();
    }

    @Test
    void cropClipsBoxesAndDropsDegenerateOnes() {
        float[] boxes = {
                5, 5, 15, 15,     // inside the crop -> shifted
                0, 0, 12, 30,     // partly outside -> clipped
                30, 2, 40, 8,     // right of the crop -> dropped
                10, 4, 10, 20,    // zero width -> dropped
                18, 18, 25, 25};  // corner overlap -> clipped to a small box
        DetectionSample s = sample(40, 30, boxes, new int[]{0, 1, 2, 3, 4});
        DetectionSample c = RandomSizeCrop.crop(s, 4, 3, 16, 17);
        assertEquals(16, c.image().width());
        assertEquals(17, c.image().height());
        assertArrayEquals(new int[]{0, 1, 4}, c.labels());
        assertArrayEquals(new float[]{1, 2, 11, 12, 0, 0, 8, 17, 14, 15, 16, 17}, c.boxes(), 0f);
        c.image().close();
    }

    @Test
    void randomSizeCropStaysInBoundsAndIsDeterministic() {
        RandomSizeCrop t = new RandomSizeCrop(8, 20);
        for (int seed = 0; seed < 50; seed++) {
            DetectionSample a = t.apply(sample(30, 25, new float[]{0, 0, 30, 25}, new int[]{1}), new SplittableRandom(seed));
            DetectionSample b = t.apply(sample(30, 25, new float[]{0, 0, 30, 25}, new int[]{1}), new SplittableRandom(seed));
            int w = a.image().width(), h = a.image().height();
            assertTrue(w >= 8 && w <= 20 && h >= 8 && h <= 20, w + "x" + h);
            assertArrayEquals(new float[]{0, 0, w, h}, a.boxes(), 0f, "the full-image box becomes the crop");
            assertArrayEquals(a.image().toBgr(), b.image().toBgr());
            a.image().close();
            b.image().close();
        }
        DetectionSample small = new RandomSizeCrop(50, 60).apply(sample(12, 9, new float[0], new int[0]), new SplittableRandom(3));
        assertEquals(12, small.image().width(), "an image smaller than minSize is kept whole");
        small.image().close();
    }

    @Test
    void multiScaleResizePicksEveryListedSizeAndNothingElse() {
        ResizeShortestSide t = new ResizeShortestSide(List.of(16, 20, 24), 0);
        Set<Integer> seen = new HashSet<>();
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < 60; i++) {
            DetectionSample r = t.apply(sample(40, 30, new float[0], new int[0]), rng);
            seen.add(r.image().height());
            r.image().close();
        }
        assertEquals(Set.of(16, 20, 24), seen);
    }

    @Test
    void detrTrainRecipeIsDeterministicGivenTheSeedAndKeepsBoxesInside() {
        DetectionTransform t = DetrTransforms.train(64, 107);
        boolean anyDifferent = false;
        byte[] first = null;
        for (int seed = 0; seed < 40; seed++) {
            float[] boxes = {3, 4, 50, 40, 60, 10, 79, 59, 20, 20, 21, 21};
            DetectionSample a = t.apply(sample(80, 60, boxes.clone(), new int[]{0, 1, 2}), new Random(seed));
            DetectionSample b = t.apply(sample(80, 60, boxes.clone(), new int[]{0, 1, 2}), new Random(seed));
            byte[] pa = a.image().toBgr();
            assertArrayEquals(pa, b.image().toBgr());
            assertArrayEquals(a.boxes(), b.boxes(), 0f);
            assertArrayEquals(a.labels(), b.labels());
            int w = a.image().width(), h = a.image().height();
            assertTrue(Math.min(w, h) <= 64 && Math.max(w, h) <= 108, w + "x" + h);
            for (int i = 0; i < a.boxes().length; i += 4) {
                float[] bx = a.boxes();
                assertTrue(bx[i] >= 0 && bx[i + 1] >= 0 && bx[i + 2] <= w + 1e-3 && bx[i + 3] <= h + 1e-3
                        && bx[i + 2] > bx[i] && bx[i + 3] > bx[i + 1], "box " + i / 4 + " of seed " + seed);
            }
            if (first == null) {
                first = pa;
            } else if (!java.util.Arrays.equals(first, pa)) {
                anyDifferent = true;
            }
            a.image().close();
            b.image().close();
        }
        assertTrue(anyDifferent, "different seeds give different augmentations");
    }

    @Test
    void detrScalesAtFullSizeAreThePublishedOnes() {
        assertEquals(List.of(480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800), DetrTransforms.trainScales(800));
        assertEquals(List.of(96, 102, 109, 115, 122, 128, 134, 141, 147, 154, 160), DetrTransforms.trainScales(160));
    }

    @Test
    void randomSelectFollowsItsProbability() {
        DetectionTransform mark1 = (s, r) -> s.with(s.image(), s.boxes(), new int[]{1});
        DetectionTransform mark2 = (s, r) -> s.with(s.image(), s.boxes(), new int[]{2});
        RandomSelect sel = new RandomSelect(mark1, mark2, 0.25);
        SplittableRandom rng = new SplittableRandom(5);
        int ones = 0;
        DetectionSample s = sample(4, 4, new float[]{0, 0, 1, 1}, new int[]{0});
        for (int i = 0; i < 4000; i++) {
            ones += sel.apply(s, rng).labels()[0] == 1 ? 1 : 0;
        }
        s.image().close();
        assertEquals(1000, ones, 80);
        assertFalse(ones == 0 || ones == 4000);
    }
}
