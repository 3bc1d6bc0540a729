package org.detrdistill.core.train;

import java.util.random.RandomGenerator;

/**
 * A seedable, splittable pseudo-random generator whose complete state is two longs, so a training run can save it in a
 * checkpoint and resume the exact same random stream (data order, augmentation, sampling). The algorithm is
 * SplitMix64 (Steele, Lea &amp; Flood, OOPSLA 2014; the generator behind {@code java.util.SplittableRandom}, whose
 * state is not accessible): {@code seed += gamma; return mix(seed)}. All {@link RandomGenerator} methods
 * ({@code nextInt(bound)}, {@code nextDouble()}, {@code nextGaussian()} ...) derive from {@link #nextLong()}, so the
 * state determines every future draw. Not thread-safe; {@link #split()} gives independent streams for other threads.
 */
public final class SplitMix64 implements RandomGenerator {
    /** The default increment: the odd integer closest to 2^64 / golden ratio. */
    public static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    /**
     * The complete state.
     *
     * @param seed  the current position
     * @param gamma the increment; always odd
     */
    public record State(long seed, long gamma) {
        public State {
            if ((gamma & 1L) == 0) throw new IllegalArgumentException("gamma must be odd, got " + gamma);
        }
    }

    private long seed;
    private final long gamma;

    /** A generator seeded with {@code seed}; the same seed gives the same stream on every JVM. */
    public SplitMix64(long seed) { this(seed, GOLDEN_GAMMA); }

    private SplitMix64(long seed, long gamma) {
        this.seed = seed;
        this.gamma = gamma;
    }

    /** A generator continuing exactly where the one that produced {@code state} was. */
    public static SplitMix64 fromState(State state) { return new SplitMix64(state.seed(), state.gamma()); }

    /** The current state (a value: later draws do not change it). */
    public State state() { return new State(seed, gamma); }

    @Override
    public long nextLong() {
        seed += gamma;
        return mix64(seed);
    }

    @Override
    public int nextInt() { return (int) (nextLong() >>> 32); }

    /** A new generator with its own seed and increment, drawn from this one (this one advances by two draws). */
    public SplitMix64 split() { return new SplitMix64(nextLong(), mixGamma(nextLong())); }

    /** Stafford's "Mix13" finaliser: a bijection of 64-bit values with good avalanche. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** An odd increment with enough bit transitions (a gamma like 0x...0001 would make a poor stream). */
    private static long mixGamma(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        z = (z ^ (z >>> 33)) | 1L;
        return Long.bitCount(z ^ (z >>> 1)) < 24 ? z ^ 0xaaaaaaaaaaaaaaaaL : z;
    }
}
