package org.detrdistill.core.internal.dl4j;

import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DilatedConv2d} against the stock dilated conv2d (DOUBLE, where it works), in FLOAT, and its gradient. */
class DilatedConv2dTest {
    private static DataType savedType, savedFloat;

    @BeforeAll static void doubles() {
        savedType = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(savedType, savedFloat); }

    /** Stock conv2d with dilation: correct in DOUBLE (fails in FLOAT on the oneDNN build). */
    private static INDArray stock(INDArray x, INDArray w, int stride, int dilation, int pad) {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.constant("x", x);
        SDVariable wv = sd.constant("w", w);
        int k = (int) w.size(0);
        sd.cnn().conv2d("y", xv, wv, Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(pad).pW(pad)
                .dH(dilation).dW(dilation).paddingMode(PaddingMode.VALID).dataFormat("NCHW")
                .weightsFormat(WeightsFormat.YXIO).build());
        return sd.output(Map.of(), "y").get("y");
    }

    private static INDArray workaround(INDArray x, INDArray w, int stride, int dilation, int pad) {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.placeHolder("x", x.dataType(), -1, x.size(1), -1, -1);
        SDVariable wv = sd.var("w", w);
        DilatedConv2d.conv2d(sd, "y", xv, wv, (int) w.size(2), (int) w.size(3), (int) w.size(0), stride, dilation, pad);
        return sd.output(Map.of("x", x), "y").get("y");
    }

    @Test void denseKernelPlacesTapsAtMultiplesOfTheDilation() {
        INDArray w = Nd4j.rand(DataType.DOUBLE, 3, 3, 2, 4);
        INDArray d = DilatedConv2d.denseKernel(w, 3);
        assertArrayEquals(new long[] {7, 7, 2, 4}, d.shape());
        assertEquals(w.sumNumber().doubleValue(), d.sumNumber().doubleValue(), 1e-12);
        assertEquals(w.getDouble(2, 1, 1, 3), d.getDouble(6, 3, 1, 3), 0.0);
        assertEquals(0.0, d.getDouble(1, 3, 1, 3), 0.0);
    }

    @Test void matchesStockDilatedConvInDoubleAndFloat() {
        Nd4j.getRandom().setSeed(13);
        int[][] cases = {{1, 2, 2}, {2, 2, 2}, {1, 3, 1}, {1, 2, 0}}; // stride, dilation, pad
        for (int[] c : cases) {
            INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, 11, 9);
            INDArray w = Nd4j.randn(DataType.DOUBLE, 3, 3, 3, 5);
            INDArray expected = stock(x, w, c[0], c[1], c[2]);
            INDArray dbl = workaround(x, w, c[0], c[1], c[2]);
            INDArray flt = workaround(x.castTo(DataType.FLOAT), w.castTo(DataType.FLOAT), c[0], c[1], c[2]);
            assertArrayEquals(expected.shape(), dbl.shape());
            double dd = Transforms.abs(expected.sub(dbl)).maxNumber().doubleValue();
            double df = Transforms.abs(expected.sub(flt.castTo(DataType.DOUBLE))).maxNumber().doubleValue();
            System.out.printf("stride %d dilation %d pad %d: DOUBLE %.2e FLOAT %.2e%n", c[0], c[1], c[2], dd, df);
            assertTrue(dd <= 1e-12, "DOUBLE " + dd);
            assertTrue(df <= 1e-5, "FLOAT " + df);
        }
    }

    @Test void gradientMatchesCentralDifference() {
        Nd4j.getRandom().setSeed(17);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2, -1, -1);
        SDVariable w = sd.var("w", Nd4j.randn(DataType.DOUBLE, 3, 3, 2, 3));
        SDVariable y = DilatedConv2d.conv2d(sd, "y", x, w, 2, 3, 3, 1, 2, 2);
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.DOUBLE, 2, 2, 7, 6));
        INDArray r = Nd4j.randn(DataType.DOUBLE, sd.output(ph, "y").get("y").shape());
        y.mul(sd.constant("r", r)).sum().rename("loss");
        sd.setLossVariables("loss");
        for (String name : new String[] {"w", "x"}) {
            CentralDifference.Result res = CentralDifference.check(sd, "loss", ph, name, 10, 1e-5, 3);
            System.out.println(res);
            assertTrue(res.maxAbsGradient() > 1e-3, name + " gradient is vacuous");
            assertTrue(res.maxRelError() < 1e-7, res.toString());
        }
    }
}
