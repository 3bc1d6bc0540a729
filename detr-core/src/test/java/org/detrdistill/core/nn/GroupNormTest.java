package org.detrdistill.core.nn;

import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GroupNorm} against a plain-Java loop computation (per image and group: mean, biased variance, eps 1e-5,
 * per-channel affine), in DOUBLE and FLOAT with a dynamic batch, and by central differences w.r.t. the input, the
 * gain and the bias.
 */
class GroupNormTest {
    private static DataType saved;

    @BeforeAll static void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    private static double[] random(int n, long seed, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    /** The definition, loop by loop: x[b, c, y, x] with C/G consecutive channels per group. */
    private static double[] byHand(double[] x, int b, int c, int h, int w, int groups, double[] gain, double[] bias) {
        double[] out = new double[x.length];
        int per = c / groups, hw = h * w;
        for (int bi = 0; bi < b; bi++) {
            for (int g = 0; g < groups; g++) {
                int from = (bi * c + g * per) * hw, n = per * hw;
                double mean = 0;
                for (int i = 0; i < n; i++) mean += x[from + i];
                mean /= n;
                double var = 0;
                for (int i = 0; i < n; i++) var += (x[from + i] - mean) * (x[from + i] - mean);
                var /= n;
                for (int i = 0; i < n; i++) {
                    int ch = g * per + i / hw;
                    out[from + i] = (x[from + i] - mean) / Math.sqrt(var + 1e-5) * gain[ch] + bias[ch];
                }
            }
        }
        return out;
    }

    private static SameDiff graph(DataType type, int c, int groups, double[] gain, double[] bias) {
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, type, 1);
        SDVariable x = sd.placeHolder("x", type, -1, c, -1, -1);
        SDVariable y = GroupNorm.apply(p, "gn", x, c, groups);
        sd.getVariable("gn.weight").setArray(Nd4j.createFromArray(gain).castTo(type));
        sd.getVariable("gn.bias").setArray(Nd4j.createFromArray(bias).castTo(type));
        sd.identity("y", y);
        return sd;
    }

    @Test
    void matchesHandComputation() {
        int b = 3, c = 8, h = 3, w = 5, groups = 4;
        // groups with very different scales and offsets, one group nearly constant (variance << eps)
        double[] x = random(b * c * h * w, 3, -2, 2);
        for (int i = 0; i < x.length; i++) {
            int ch = (i / (h * w)) % c;
            x[i] = ch < 2 ? 1e-4 * x[i] + 0.01 : ch < 4 ? 50 * x[i] - 7 : x[i];
        }
        double[] gain = random(c, 5, 0.5, 1.5), bias = random(c, 6, -0.5, 0.5);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            SameDiff sd = graph(type, c, groups, gain, bias);
            INDArray in = Nd4j.create(x, new long[]{b, c, h, w}, DataType.DOUBLE).castTo(type);
            // expected from the values the graph actually sees (FLOAT rounds the input, gain and bias)
            double[] xs = in.castTo(DataType.DOUBLE).dup().data().asDouble();
            double[] gs = Nd4j.createFromArray(gain).castTo(type).castTo(DataType.DOUBLE).toDoubleVector();
            double[] bs = Nd4j.createFromArray(bias).castTo(type).castTo(DataType.DOUBLE).toDoubleVector();
            double[] expected = byHand(xs, b, c, h, w, groups, gs, bs);
            INDArray y = sd.output(Map.of("x", in), "y").get("y");
            assertArrayEquals(new long[]{b, c, h, w}, y.shape());
            double[] got = y.castTo(DataType.DOUBLE).dup().data().asDouble();
            double worst = 0;
            for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
            assertTrue(worst < (type == DataType.DOUBLE ? 1e-12 : 2e-5), type + ": max |diff| " + worst);
            // batch of one: the same per-image values (the batch is dynamic)
            INDArray one = sd.output(Map.of("x", in.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).dup()), "y").get("y");
            assertEquals(0, one.sub(y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2))).amaxNumber().doubleValue(), 1e-6);
        }
    }

    @Test
    void gradientsMatchCentralDifferences() {
        int c = 6, groups = 3;
        SameDiff sd = graph(DataType.DOUBLE, c, groups, random(c, 8, 0.5, 1.5), random(c, 9, -0.5, 0.5));
        SDVariable r = sd.constant("R", Nd4j.create(random(2 * c * 3 * 4, 10, -1, 1), new long[]{2, c, 3, 4}, DataType.DOUBLE));
        sd.getVariable("y").mul(r).sum("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction("x");   // gradients w.r.t. a placeholder must be requested when the gradient graph is built
        Map<String, INDArray> feed = Map.of("x", Nd4j.create(random(2 * c * 3 * 4, 11, -2, 2), new long[]{2, c, 3, 4}, DataType.DOUBLE));
        for (String name : new String[]{"x", "gn.weight", "gn.bias"}) {
            CentralDifference.Result res = CentralDifference.check(sd, "loss", feed, name, 40, 1e-6, 12);
            assertTrue(res.maxAbsGradient() > 1e-3, res.toString());
            assertTrue(res.maxRelError() < 1e-6, res.toString());
        }
    }

    @Test
    void rejectsChannelsNotDivisibleByGroups() {
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, DataType.DOUBLE, 1);
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 16, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GroupNorm.apply(p, "gn", x, 16, 32));
        assertTrue(e.getMessage().contains("16") && e.getMessage().contains("32"), e.getMessage());
    }
}
