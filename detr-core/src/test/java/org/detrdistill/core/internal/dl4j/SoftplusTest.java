package org.detrdistill.core.internal.dl4j;

import org.detrdistill.core.testutil.FiniteDifference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SoftplusTest {
    private static final double[] X = {-1000, -100, -30, -2.5, 0, 0.7, 30, 100, 1000};

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** Plain double reference: max(x,0) + log1p(exp(-|x|)). */
    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static INDArray eval(DataType dt, boolean stock, boolean logSigmoid) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", dt, -1);
        SDVariable y = logSigmoid
                ? (stock ? sd.nn.logSigmoid(x) : Softplus.logSigmoid(sd, x))
                : (stock ? sd.nn.softplus(x) : Softplus.of(sd, x));
        y.rename("y");
        return sd.output(Map.of("x", Nd4j.createFromArray(X).castTo(dt)), "y").get("y").castTo(DataType.DOUBLE);
    }

    @Test
    void stockSoftplusAndLogSigmoidOverflow() {
        assertTrue(Double.isInfinite(eval(DataType.FLOAT, true, false).getDouble(7)), "stock softplus(100) in FLOAT");
        assertTrue(Double.isInfinite(eval(DataType.DOUBLE, true, false).getDouble(8)), "stock softplus(1000) in DOUBLE");
        assertTrue(Double.isInfinite(eval(DataType.FLOAT, true, true).getDouble(1)), "stock logSigmoid(-100) in FLOAT");
        double stockTiny = eval(DataType.DOUBLE, true, false).getDouble(2);
        assertTrue(Math.abs(stockTiny - softplus(-30)) / softplus(-30) > 1e-4, "stock softplus(-30) precision");
    }

    @Test
    void workaroundIsFiniteAndAccurate() {
        INDArray d = eval(DataType.DOUBLE, false, false);
        INDArray f = eval(DataType.FLOAT, false, false);
        INDArray ls = eval(DataType.DOUBLE, false, true);
        for (int i = 0; i < X.length; i++) {
            assertEquals(softplus(X[i]), d.getDouble(i), 1e-15 * Math.max(1, Math.abs(X[i])), "softplus " + X[i]);
            assertEquals(softplus(X[i]), f.getDouble(i), 1e-6 * Math.max(1, Math.abs(X[i])), "float softplus " + X[i]);
            assertEquals(-softplus(-X[i]), ls.getDouble(i), 1e-15 * Math.max(1, Math.abs(X[i])), "logSigmoid " + X[i]);
        }
    }

    @Test
    void bceGradientIsSigmoidMinusTargetIncludingAtZero() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1);
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, -1);
        Softplus.bceWithLogits(sd, x, t).sum().rename("loss");
        sd.setLossVariables("loss");
        INDArray xs = Nd4j.createFromArray(-40.0, -3.0, -0.2, 0.0, 0.0, 1.3, 45.0);
        INDArray ts = Nd4j.createFromArray(0.0, 1.0, 0.3, 0.0, 1.0, 0.8, 0.0);
        Map<String, INDArray> feed = Map.of("x", xs, "t", ts);
        INDArray g = FiniteDifference.analytic(sd, feed, "x").get("x");
        for (int i = 0; i < xs.length(); i++) {
            double sig = 1 / (1 + Math.exp(-xs.getDouble(i)));
            assertEquals(sig - ts.getDouble(i), g.getDouble(i), 1e-15, "d bce / dx at " + xs.getDouble(i));
        }
        assertEquals(0.0, FiniteDifference.maxAbsDiff(g, FiniteDifference.numeric(sd, "loss", feed, "x", 1e-6)), 1e-8);
    }
}
