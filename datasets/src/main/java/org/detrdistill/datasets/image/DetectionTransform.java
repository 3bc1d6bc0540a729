package org.detrdistill.datasets.image;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A transform of an image together with its boxes (the DETR {@code datasets/transforms.py} contract: every geometric
 * change of the image is applied to the boxes too).
 *
 * <p>Determinism: all randomness comes from the {@code rng} argument, drawn in a fixed order, so the same sample and
 * an identically seeded generator give the same result. Implementations hold no mutable state and are thread-safe.
 *
 * <p>Ownership: {@code apply} takes over the input sample's image. If it returns a sample with a different image it
 * closes the input image; callers close the image of the returned sample.
 */
@FunctionalInterface
public interface DetectionTransform {

    /**
     * Transforms a sample.
     *
     * @param sample the input; its image is consumed
     * @param rng    source of all randomness of this call
     * @return the transformed sample (boxes {@code x0,y0,x1,y1} in pixels of the new image)
     */
    DetectionSample apply(DetectionSample sample, RandomGenerator rng);

    /** This transform followed by {@code next}. */
    default DetectionTransform andThen(DetectionTransform next) {
        return new Compose(List.of(this, next));
    }

    /** The identity transform. */
    static DetectionTransform identity() {
        return (sample, rng) -> sample;
    }
}
