package org.detrdistill.core.train;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The checkpointable generator: same stream as the JDK's SplitMix64, exact resumption from a saved state. */
class SplitMix64Test {

    @Test
    void nextLongEqualsSplittableRandomWithTheSameSeed() {
        for (long seed : new long[] {0, 42, -1, Long.MIN_VALUE}) {
            SplittableRandom jdk = new SplittableRandom(seed);
            SplitMix64 ours = new SplitMix64(seed);
            for (int i = 0; i < 1000; i++) assertEquals(jdk.nextLong(), ours.nextLong(), "seed " + seed + " draw " + i);
        }
    }

    @Test
    void savedStateResumesTheExactStream() {
        SplitMix64 r = new SplitMix64(7);
        for (int i = 0; i < 123; i++) r.nextInt(10);
        SplitMix64.State saved = r.state();
        double[] expected = new double[50];
        for (int i = 0; i < expected.length; i++) expected[i] = i % 3 == 0 ? r.nextGaussian() : i % 3 == 1 ? r.nextInt(17) : r.nextDouble();
        SplitMix64 resumed = SplitMix64.fromState(saved);
        for (int i = 0; i < expected.length; i++) {
            double v = i % 3 == 0 ? resumed.nextGaussian() : i % 3 == 1 ? resumed.nextInt(17) : resumed.nextDouble();
            assertEquals(expected[i], v, 0, "draw " + i);
        }
        assertEquals(r.state(), resumed.state());
    }

    @Test
    void splitIsDeterministicAndIndependent() {
        SplitMix64 a = new SplitMix64(1), b = new SplitMix64(1);
        SplitMix64 ca = a.split(), cb = b.split();
        assertEquals(ca.state(), cb.state());
        assertEquals(a.nextLong(), b.nextLong());
        assertNotEquals(ca.state().gamma(), SplitMix64.GOLDEN_GAMMA);
        assertEquals(1, ca.state().gamma() & 1);
        assertNotEquals(a.nextLong(), ca.nextLong());
        assertThrows(IllegalArgumentException.class, () -> new SplitMix64.State(1, 2));
    }
}
