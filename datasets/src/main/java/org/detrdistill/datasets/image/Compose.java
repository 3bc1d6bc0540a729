package org.detrdistill.datasets.image;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Applies transforms in order, passing the same generator along (so the draws of later transforms depend on how many
 * the earlier ones made; the whole chain is still deterministic given the generator's seed).
 *
 * @param transforms the transforms, first applied first
 */
public record Compose(List<DetectionTransform> transforms) implements DetectionTransform {
    public Compose {
        transforms = List.copyOf(transforms);
    }

    /** Composition of the given transforms. */
    public static Compose of(DetectionTransform... transforms) {
        return new Compose(List.of(transforms));
    }

    @Override
    public DetectionSample apply(DetectionSample sample, RandomGenerator rng) {
        DetectionSample s = sample;
        for (DetectionTransform t : transforms) {
            s = t.apply(s, rng);
        }
        return s;
    }
}
