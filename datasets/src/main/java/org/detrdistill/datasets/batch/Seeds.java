package org.detrdistill.datasets.batch;

import java.util.SplittableRandom;

/**
 * Derivation of independent random streams from one user seed, so that an epoch's order and each image's
 * augmentation depend only on {@code (seed, epoch, image index)}, never on threads or timing.
 */
final class Seeds {
    private Seeds() { }

    /** The generator that shuffles epoch {@code epoch}. */
    static SplittableRandom forEpoch(long seed, int epoch) {
        return new SplittableRandom(mix(mix(seed ^ 0x5DEECE66DL) + epoch));
    }

    /** The generator of the augmentations of image {@code index} in epoch {@code epoch}. */
    static SplittableRandom forSample(long seed, int epoch, int index) {
        return new SplittableRandom(mix(mix(mix(seed) + epoch) + index));
    }

    /** SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective avalanche mix of 64 bits. */
    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A permutation of {@code 0..n-1} (Fisher-Yates with {@code rng}); the identity if {@code shuffle} is false. */
    static int[] order(int n, boolean shuffle, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }
}
