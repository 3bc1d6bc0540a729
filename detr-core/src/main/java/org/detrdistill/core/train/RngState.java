package org.detrdistill.core.train;

import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The random state of a training run: the Java-side generator ({@link SplitMix64}: data order, augmentation) and
 * ND4J's generator ({@code Nd4j.getRandom()}: random ops inside the graph such as dropout masks and ND4J-side
 * initialisation). Immutable.
 *
 * @param javaSeed       {@link SplitMix64.State#seed()}
 * @param javaGamma      {@link SplitMix64.State#gamma()}
 * @param nd4jRootState  ND4J's {@code Random.rootState()}
 * @param nd4jNodeState  ND4J's {@code Random.nodeState()}
 */
public record RngState(long javaSeed, long javaGamma, long nd4jRootState, long nd4jNodeState) {
    public RngState {
        new SplitMix64.State(javaSeed, javaGamma);
    }

    /** The state of {@code random} and of this thread's ND4J generator now. */
    public static RngState capture(SplitMix64 random) {
        SplitMix64.State s = random.state();
        Random nd = Nd4j.getRandom();
        return new RngState(s.seed(), s.gamma(), nd.rootState(), nd.nodeState());
    }

    /** A Java generator continuing the saved stream. */
    public SplitMix64 javaRandom() { return SplitMix64.fromState(new SplitMix64.State(javaSeed, javaGamma)); }

    /** Puts this thread's ND4J generator back to the saved state. */
    public void restoreNd4j() { Nd4j.getRandom().setStates(nd4jRootState, nd4jNodeState); }
}
