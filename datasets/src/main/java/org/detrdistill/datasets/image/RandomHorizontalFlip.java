package org.detrdistill.datasets.image;

import java.util.random.RandomGenerator;

/**
 * Mirrors the image left-right with probability {@code p} (one {@code nextDouble()} draw per call); a box
 * {@code (x0, y0, x1, y1)} becomes {@code (W - x1, y0, W - x0, y1)}, as DETR's {@code hflip}.
 *
 * @param p probability of flipping, in [0, 1]
 */
public record RandomHorizontalFlip(double p) implements DetectionTransform {
    public RandomHorizontalFlip {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], got " + p);
        }
    }

    @Override
    public DetectionSample apply(DetectionSample sample, RandomGenerator rng) {
        if (!(rng.nextDouble() < p)) {
            return sample;
        }
        DecodedImage img = sample.image();
        float w = img.width();
        float[] src = sample.boxes();
        float[] b = new float[src.length];
        for (int i = 0; i < b.length; i += 4) {
            b[i] = w - src[i + 2];
            b[i + 1] = src[i + 1];
            b[i + 2] = w - src[i];
            b[i + 3] = src[i + 3];
        }
        DecodedImage flipped = img.flipHorizontal();
        img.close();
        return sample.with(flipped, b, sample.labels());
    }
}
