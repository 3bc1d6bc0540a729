package org.detrdistill.datasets.image;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Resizes so that the shorter side equals a size chosen uniformly from {@code sizes}, unless that would make the
 * longer side exceed {@code maxSize}, in which case the longer side becomes about {@code maxSize}; the aspect ratio is
 * kept. Boxes are scaled by {@code (newWidth / width, newHeight / height)}. This is DETR's {@code RandomResize}
 * ({@code get_size_with_aspect_ratio}) exactly, including its integer rounding (see {@link #outputSize}). With one
 * size it is the deterministic evaluation resize; with several it is multi-scale training. Interpolation: see
 * {@link DecodedImage#resize}.
 *
 * @param sizes   candidate shortest-side lengths in pixels, non-empty
 * @param maxSize limit of the longest side in pixels, or 0 for none
 */
public record ResizeShortestSide(List<Integer> sizes, int maxSize) implements DetectionTransform {
    public ResizeShortestSide {
        sizes = List.copyOf(sizes);
        if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s <= 0) || maxSize < 0) {
            throw new IllegalArgumentException("sizes must be non-empty and positive and maxSize >= 0, got " + sizes
                    + ", " + maxSize);
        }
    }

    /** Resize to one shortest-side length (evaluation). */
    public static ResizeShortestSide of(int size, int maxSize) {
        return new ResizeShortestSide(List.of(size), maxSize);
    }

    /**
     * DETR's output size for an image of {@code width x height} and a requested shortest side: if
     * {@code max/min * size > maxSize} then {@code size = round(maxSize * min / max)} (round half to even, as Python);
     * if the shorter side already equals {@code size} the image is unchanged; otherwise the shorter side becomes
     * {@code size} and the longer {@code floor(size * longer / shorter)}.
     *
     * @param maxSize limit of the longest side, or 0 for none
     * @return {@code {newWidth, newHeight}}
     */
    public static int[] outputSize(int width, int height, int size, int maxSize) {
        if (maxSize > 0) {
            double minSide = Math.min(width, height), maxSide = Math.max(width, height);
            if (maxSide / minSide * size > maxSize) {
                size = (int) Math.rint(maxSize * minSide / maxSide);
            }
        }
        if ((width <= height && width == size) || (height <= width && height == size)) {
            return new int[]{width, height};
        }
        if (width < height) {
            return new int[]{size, (int) ((double) size * height / width)};
        }
        return new int[]{(int) ((double) size * width / height), size};
    }

    @Override
    public DetectionSample apply(DetectionSample sample, RandomGenerator rng) {
        int size = sizes.size() == 1 ? sizes.get(0) : sizes.get(rng.nextInt(sizes.size()));
        DecodedImage img = sample.image();
        int[] out = outputSize(img.width(), img.height(), size, maxSize);
        if (out[0] == img.width() && out[1] == img.height()) {
            return sample;
        }
        float sx = (float) out[0] / img.width(), sy = (float) out[1] / img.height();
        float[] b = sample.boxes().clone();
        for (int i = 0; i < b.length; i += 4) {
            b[i] *= sx;
            b[i + 1] *= sy;
            b[i + 2] *= sx;
            b[i + 3] *= sy;
        }
        DecodedImage resized = img.resize(out[0], out[1]);
        img.close();
        return sample.with(resized, b, sample.labels());
    }
}
