package org.detrdistill.datasets.image;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * DETR's {@code RandomSizeCrop}: a crop of random size {@code w in [minSize, min(W, maxSize)]},
 * {@code h in [minSize, min(H, maxSize)]} at a random position inside the image (draws, in order: {@code w},
 * {@code h}, top, left; all bounds inclusive). An image smaller than {@code minSize} on a side is not cropped on that
 * side beyond its full length (DETR would fail there).
 *
 * <p>Boxes are shifted into the crop and clipped to it; boxes left with zero width or height (entirely outside the
 * crop, or degenerate) are dropped together with their labels (see {@link #crop}).
 *
 * @param minSize smallest crop side in pixels
 * @param maxSize largest crop side in pixels, at least {@code minSize}
 */
public record RandomSizeCrop(int minSize, int maxSize) implements DetectionTransform {
    public RandomSizeCrop {
        if (minSize <= 0 || maxSize < minSize) {
            throw new IllegalArgumentException("need 0 < minSize <= maxSize, got " + minSize + ", " + maxSize);
        }
    }

    @Override
    public DetectionSample apply(DetectionSample sample, RandomGenerator rng) {
        int W = sample.image().width(), H = sample.image().height();
        int wMax = Math.min(W, maxSize), hMax = Math.min(H, maxSize);
        int w = rng.nextInt(Math.min(minSize, wMax), wMax + 1);
        int h = rng.nextInt(Math.min(minSize, hMax), hMax + 1);
        int top = rng.nextInt(0, H - h + 1);
        int left = rng.nextInt(0, W - w + 1);
        return crop(sample, left, top, w, h);
    }

    /**
     * Crops the rectangle {@code [x, x+w) x [y, y+h)} (DETR's {@code crop}): boxes are shifted by {@code (-x, -y)},
     * clipped to {@code [0, w] x [0, h]}, and dropped with their labels where the clipped box has
     * {@code x1 <= x0} or {@code y1 <= y0}. Consumes the sample's image.
     *
     * @return the cropped sample (the same sample if the rectangle is the whole image)
     */
    public static DetectionSample crop(DetectionSample sample, int x, int y, int w, int h) {
        DecodedImage img = sample.image();
        if (x == 0 && y == 0 && w == img.width() && h == img.height()) {
            return sample;
        }
        float[] src = sample.boxes();
        int[] labels = sample.labels();
        float[] boxes = new float[src.length];
        int[] kept = new int[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            float x0 = clamp(src[4 * i] - x, w), y0 = clamp(src[4 * i + 1] - y, h);
            float x1 = clamp(src[4 * i + 2] - x, w), y1 = clamp(src[4 * i + 3] - y, h);
            if (x1 > x0 && y1 > y0) {
                boxes[4 * n] = x0;
                boxes[4 * n + 1] = y0;
                boxes[4 * n + 2] = x1;
                boxes[4 * n + 3] = y1;
                kept[n++] = labels[i];
            }
        }
        DecodedImage cropped = img.crop(x, y, w, h);
        img.close();
        return sample.with(cropped, Arrays.copyOf(boxes, 4 * n), Arrays.copyOf(kept, n));
    }

    private static float clamp(float v, float max) {
        return Math.min(Math.max(v, 0f), max);
    }
}
