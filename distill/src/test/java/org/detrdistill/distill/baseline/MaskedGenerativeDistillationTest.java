package org.detrdistill.distill.baseline;

import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MGD: a value by hand, plain-Java convolutions with an align conv, finite differences, mask statistics. */
class MaskedGenerativeDistillationTest {
    private DataType saved;

    @BeforeEach void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    @Test
    void handWorkedValue() {
        // d = 1, 1×1 maps, B = 2, α = 1: only the kernel centres see data (padding 1).
        // conv1: centre 2, bias −1; conv2: centre 3, bias 0.5; student 1.5 in both images, teacher 6.
        // kept image: 3·relu(2·1.5 − 1) + 0.5 = 6.5 -> (0.5)²; masked image: 3·relu(−1) + 0.5 = 0.5 -> (−5.5)²
        // L = (0.25 + 30.25) / 2 = 15.25
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s0", Nd4j.valueArrayOf(new long[]{2, 1, 1, 1}, 1.5));
        MaskedGenerativeDistillation.attach(new ParamFactory(sd, DataType.DOUBLE, 0), List.of(s), 1, 1, 1.0);
        sd.getVariable("mgd.generation.0.0.weight").setArray(kernel(7, 2));   // off-centre 7s only ever meet padding
        sd.getVariable("mgd.generation.0.0.bias").setArray(Nd4j.createFromArray(-1.0));
        sd.getVariable("mgd.generation.0.2.weight").setArray(kernel(-4, 3));
        sd.getVariable("mgd.generation.0.2.bias").setArray(Nd4j.createFromArray(0.5));
        Map<String, INDArray> feeds = Map.of(
                MaskedGenerativeDistillation.teacherFeature(0), Nd4j.valueArrayOf(new long[]{2, 1, 1, 1}, 6.0),
                MaskedGenerativeDistillation.keepMask(0), Nd4j.createFromArray(1.0, 0.0).reshape(2, 1, 1, 1));
        assertEquals(15.25, sd.output(feeds, "mgd").get("mgd").getDouble(0), 1e-13);
    }

    /** A 3×3 single-channel kernel, YXIO {@code [3,3,1,1]}: {@code border} everywhere but {@code centre}. */
    private static INDArray kernel(double border, double centre) {
        INDArray k = Nd4j.valueArrayOf(new long[]{3, 3, 1, 1}, border);
        k.putScalar(new long[]{1, 1, 0, 0}, centre);
        return k;
    }

    private record Graph(SameDiff sd, Map<String, INDArray> feeds, INDArray student, INDArray teacher, INDArray keep) {}

    /** d_S 2 → d_T 3 (align conv), 3×4 map, B = 2, α = 0.01. */
    private static Graph graph() {
        Nd4j.getRandom().setSeed(17);
        SameDiff sd = SameDiff.create();
        INDArray student = Nd4j.randn(DataType.DOUBLE, 2, 2, 3, 4), teacher = Nd4j.randn(DataType.DOUBLE, 2, 3, 3, 4);
        MaskedGenerativeDistillation.attach(new ParamFactory(sd, DataType.DOUBLE, 6), List.of(sd.var("s0", student)), 2, 3, 0.01);
        INDArray keep = MaskedGenerativeDistillation.drawKeepMask(new SplittableRandom(1), 2, 3, 4, 0.5);
        Map<String, INDArray> feeds = new HashMap<>(Map.of(MaskedGenerativeDistillation.teacherFeature(0), teacher,
                MaskedGenerativeDistillation.keepMask(0), keep));
        return new Graph(sd, feeds, student, teacher, keep);
    }

    @Test
    void matchesPlainJavaConvolutions() {
        Graph g = graph();
        SameDiff sd = g.sd;
        double[][][][] x = conv(g.student, sd.getArrForVarName("mgd.align.0.weight"), sd.getArrForVarName("mgd.align.0.bias"), 0);
        for (int b = 0; b < 2; b++) for (int c = 0; c < 3; c++) for (int y = 0; y < 3; y++) for (int w = 0; w < 4; w++) {
            x[b][c][y][w] *= g.keep.getDouble(b, 0, y, w);
        }
        double[][][][] h = conv(Nd4j.createFromArray(x), sd.getArrForVarName("mgd.generation.0.0.weight"),
                sd.getArrForVarName("mgd.generation.0.0.bias"), 1);
        INDArray hr = Nd4j.createFromArray(h);
        hr = hr.mul(hr.gt(0).castTo(DataType.DOUBLE));
        double[][][][] out = conv(hr, sd.getArrForVarName("mgd.generation.0.2.weight"), sd.getArrForVarName("mgd.generation.0.2.bias"), 1);
        double sum = 0;
        for (int b = 0; b < 2; b++) for (int c = 0; c < 3; c++) for (int y = 0; y < 3; y++) for (int w = 0; w < 4; w++) {
            double d = out[b][c][y][w] - g.teacher.getDouble(b, c, y, w);
            sum += d * d;
        }
        double expected = 0.01 * sum / 2;
        assertEquals(expected, sd.output(g.feeds, "mgd").get("mgd").getDouble(0), 1e-12);
        assertTrue(expected > 0.01, "non-trivial: " + expected);
    }

    /** Plain convolution, NCHW input, YXIO kernel {@code [k,k,in,out]}, stride 1, zero padding {@code pad}. */
    private static double[][][][] conv(INDArray x, INDArray w, INDArray bias, int pad) {
        int b = (int) x.size(0), in = (int) x.size(1), h = (int) x.size(2), wd = (int) x.size(3);
        int k = (int) w.size(0), out = (int) w.size(3);
        double[][][][] y = new double[b][out][h][wd];
        for (int n = 0; n < b; n++) for (int o = 0; o < out; o++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++) {
            double s = bias.getDouble(o);
            for (int c = 0; c < in; c++) for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) {
                int yy = i + ky - pad, xx = j + kx - pad;
                if (yy >= 0 && yy < h && xx >= 0 && xx < wd) s += w.getDouble(ky, kx, c, o) * x.getDouble(n, c, yy, xx);
            }
            y[n][o][i][j] = s;
        }
        return y;
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Graph g = graph();
        g.sd.setLossVariables("mgd");
        List<String> vars = CentralDifference.trainable(g.sd);
        assertEquals(7, vars.size(), "student + align (2) + two generator convs (4): " + vars);
        var bad = CentralDifference.failures(g.sd, "mgd", g.feeds, vars, 4, 1e-6, 1e-5, 5);
        assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
    }

    @Test
    void masksHideTheRequestedFractionReproducibly() {
        INDArray a = MaskedGenerativeDistillation.drawKeepMask(new SplittableRandom(42), 4, 200, 250, 0.65);
        double masked = 1 - a.meanNumber().doubleValue();
        assertEquals(0.65, masked, 0.005, "fraction masked of 200,000 draws");   // binomial sd ≈ 0.0011
        assertEquals(a, MaskedGenerativeDistillation.drawKeepMask(new SplittableRandom(42), 4, 200, 250, 0.65));
        assertNotEquals(a, MaskedGenerativeDistillation.drawKeepMask(new SplittableRandom(43), 4, 200, 250, 0.65));
        assertEquals(1.0, MaskedGenerativeDistillation.drawKeepMask(new SplittableRandom(1), 2, 5, 5, 0.0).minNumber().doubleValue());
    }
}
