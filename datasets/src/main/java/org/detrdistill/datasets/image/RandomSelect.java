package org.detrdistill.datasets.image;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Applies {@code first} with probability {@code p}, otherwise {@code second} (one {@code nextDouble()} draw, then the
 * chosen transform's draws), as DETR's {@code RandomSelect}.
 *
 * @param first  transform used with probability {@code p}
 * @param second transform used otherwise
 * @param p      probability of {@code first}, in [0, 1]
 */
public record RandomSelect(DetectionTransform first, DetectionTransform second, double p) implements DetectionTransform {
    public RandomSelect {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], got " + p);
        }
    }

    @Override
    public DetectionSample apply(DetectionSample sample, RandomGenerator rng) {
        return rng.nextDouble() < p ? first.apply(sample, rng) : second.apply(sample, rng);
    }
}
