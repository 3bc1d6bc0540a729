package org.detrdistill.core.train;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A 2-layer MLP regression graph for engine tests (no detector): {@code x [B,4] -> relu(x W1 + b1) -> dropout? ->
 * (. W2 + b2) * frozen.scale -> [B,2]}, with two loss terms and their weighted sum as the loss variable:
 * {@code loss_mse = 1.0 * mean((pred-y)^2)}, {@code loss_l1 = 0.5 * mean(|pred-y|)}, {@code loss = loss_mse + loss_l1}.
 * {@code frozen.scale} is a VARIABLE meant to be frozen by name. Dropout (if p > 0) is {@code h * bernoulli(1-p)/(1-p)}
 * drawn by ND4J's random generator, with a fixed batch size.
 */
final class TinyMlp {
    static final int IN = 4, HIDDEN = 8, OUT = 2;
    static final List<String> OUTPUTS = List.of("loss", "loss_mse", "loss_l1", "mse", "l1");

    private TinyMlp() {}

    /** A fresh graph; the same seed gives the same initial parameters. */
    static SameDiff build(DataType type, long seed, double dropout, int batch) {
        SameDiff sd = SameDiff.create();
        SplittableRandom rng = new SplittableRandom(seed);
        SDVariable x = sd.placeHolder("x", type, batch, IN);
        SDVariable y = sd.placeHolder("y", type, batch, OUT);
        SDVariable w1 = sd.var("layer1.weight", random(rng, type, 0.5, IN, HIDDEN));
        SDVariable b1 = sd.var("layer1.bias", random(rng, type, 0.1, HIDDEN));
        SDVariable w2 = sd.var("layer2.weight", random(rng, type, 0.5, HIDDEN, OUT));
        SDVariable b2 = sd.var("layer2.bias", random(rng, type, 0.1, OUT));
        SDVariable scale = sd.var("frozen.scale", Nd4j.valueArrayOf(new long[] {OUT}, 1.5).castTo(type));
        SDVariable h = sd.nn().relu(x.mmul(w1).add(b1), 0);
        if (dropout > 0) {
            SDVariable keep = sd.random().bernoulli("keep", 1 - dropout, type, batch, HIDDEN);
            h = h.mul(keep).div(1 - dropout);
        }
        SDVariable pred = h.mmul(w2).add(b2).mul("pred", scale);
        SDVariable diff = pred.sub(y);
        SDVariable mse = sd.math().square(diff).mean("mse");
        SDVariable l1 = sd.math().abs(diff).mean("l1");
        SDVariable lossMse = mse.mul("loss_mse", 1.0);
        SDVariable lossL1 = l1.mul("loss_l1", 0.5);
        lossMse.add("loss", lossL1);
        sd.setLossVariables("loss");
        return sd;
    }

    private static INDArray random(SplittableRandom rng, DataType type, double scale, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (rng.nextDouble() * 2 - 1) * scale;
        return Nd4j.create(v, shape, DataType.DOUBLE).castTo(type);
    }

    /** A fixed regression data set of {@code n} rows: {@code y = sin(x A) + noise}; features [n,4], targets [n,2]. */
    static INDArray[] dataset(int n, DataType type) {
        SplittableRandom rng = new SplittableRandom(1234);
        double[][] xs = new double[n][IN], ys = new double[n][OUT];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < IN; j++) xs[i][j] = rng.nextDouble() * 2 - 1;
            ys[i][0] = Math.sin(xs[i][0] + 2 * xs[i][1]) + 0.05 * rng.nextGaussian();
            ys[i][1] = Math.cos(xs[i][2] - xs[i][3]) + 0.05 * rng.nextGaussian();
        }
        return new INDArray[] {Nd4j.createFromArray(xs).castTo(type), Nd4j.createFromArray(ys).castTo(type)};
    }

    /** Feeds for a batch of {@code batch} rows drawn with replacement by {@code rng}. */
    static Map<String, INDArray> batch(INDArray[] data, RandomGenerator rng, int batch) {
        int n = (int) data[0].size(0);
        int[] rows = new int[batch];
        for (int i = 0; i < batch; i++) rows[i] = rng.nextInt(n);
        return Map.of("x", data[0].getRows(rows), "y", data[1].getRows(rows));
    }
}
