package org.detrdistill.core.nn;

import java.util.SplittableRandom;

/**
 * A parameter initialisation scheme: fills a flat buffer of {@code n} values with a seeded generator.
 * The schemes are those the reference PyTorch implementations use.
 */
@FunctionalInterface
public interface Init {

    /** Fills {@code out} (the parameter in C order) using {@code rng}. */
    void fill(double[] out, long[] shape, SplittableRandom rng);

    /** All zeros. */
    static Init zeros() { return constant(0); }

    /** All ones. */
    static Init ones() { return constant(1); }

    /** Every entry {@code v}. */
    static Init constant(double v) {
        return (out, shape, rng) -> java.util.Arrays.fill(out, v);
    }

    /** U(lo, hi). */
    static Init uniform(double lo, double hi) {
        if (!(hi >= lo)) throw new IllegalArgumentException("uniform needs lo <= hi, got " + lo + ", " + hi);
        return (out, shape, rng) -> {
            for (int i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * rng.nextDouble();
        };
    }

    /** N(0, std²). */
    static Init normal(double std) {
        return (out, shape, rng) -> {
            for (int i = 0; i < out.length; i++) out[i] = std * gaussian(rng);
        };
    }

    /**
     * Xavier/Glorot uniform for a PyTorch-layout weight {@code [out, in, k...]}: U(±√(6/(fan_in+fan_out))), with
     * fan_in = in·k..., fan_out = out·k... (as {@code torch.nn.init.xavier_uniform_}).
     */
    static Init xavierUniform() {
        return (out, shape, rng) -> {
            long[] f = fans(shape);
            double a = Math.sqrt(6.0 / (f[0] + f[1]));
            for (int i = 0; i < out.length; i++) out[i] = a * (2 * rng.nextDouble() - 1);
        };
    }

    /**
     * PyTorch's default for {@code nn.Linear}/{@code nn.Conv2d} weights and biases: U(±1/√fan_in), where
     * {@code fanIn} is the layer's input width (times the kernel area for convolutions).
     */
    static Init torchDefault(long fanIn) {
        double b = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0;
        return uniform(-b, b);
    }

    /** The fan-in and fan-out of a PyTorch-layout weight {@code [out, in, k...]}. */
    static long[] fans(long[] shape) {
        if (shape.length < 2) throw new IllegalArgumentException("fans need a weight of rank >= 2, got rank " + shape.length);
        long receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        return new long[]{shape[1] * receptive, shape[0] * receptive};
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
