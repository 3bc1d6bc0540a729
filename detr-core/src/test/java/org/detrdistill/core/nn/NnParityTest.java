package org.detrdistill.core.nn;

import org.detrdistill.core.testutil.DoublePrecision;
import org.detrdistill.core.testutil.Fixture;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Linear, LayerNorm and MultiheadAttention against PyTorch: the onnx_tiny module
 * ({@code sigmoid(head(MHA(norm(proj(x)))))}) evaluated in float64, with the layers on {@code [B, L, E]} tensors and on
 * 2-D token streams {@code [B·L, E]} ({@code apply2d}: moments-based LayerNorm, static head reshapes).
 */
@ExtendWith(DoublePrecision.class)
class NnParityTest {

    private static SameDiff tinyModule(DataType type, SDVariable[] inputOut) {
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, type, 7);
        SDVariable x = sd.placeHolder("x", type, -1, -1, 8);
        SDVariable h = LayerNorm.apply(p, "norm", Linear.apply(p, "proj", x, 8, 16), 16);
        SDVariable a = MultiheadAttention.apply(p, "attn", h, h, h, 16, 2, null);
        SDVariable y = sd.nn.sigmoid("y", Linear.apply(p, "head", a, 16, 3));
        inputOut[0] = x;
        inputOut[1] = y;
        return sd;
    }

    /** The same module on 2-D token streams: x {@code [B·L, 8]}, L static. */
    private static SameDiff tinyModule2d(DataType type, long length) {
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, type, 7);
        SDVariable x = sd.placeHolder("x", type, -1, 8);
        SDVariable h = LayerNorm.apply2d(p, "norm", Linear.apply2d(p, "proj", x, 8, 16), 16);
        SDVariable a = MultiheadAttention.apply2d(p, "attn", h, h, h, length, length, 16, 2, null);
        sd.nn.sigmoid("y", Linear.apply2d(p, "head", a, 16, 3));
        return sd;
    }

    private static void loadStateDict(SameDiff sd, Fixture f, DataType type) {
        for (String key : new String[]{"proj.weight", "proj.bias", "norm.weight", "norm.bias", "attn.in_proj_weight",
                "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias", "head.weight", "head.bias"}) {
            INDArray v = f.npy("state_dict/" + key, type);
            assertArrayEquals(v.shape(), sd.getVariable(key).getArr().shape(), key);
            sd.getVariable(key).setArray(v);
        }
    }

    @Test
    void matchesPyTorchInDoubleAndFloat() {
        Fixture f = Fixture.load("onnx_tiny", "linear_ln_mha_sigmoid_opset13");
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            SDVariable[] io = new SDVariable[2];
            SameDiff sd = tinyModule(type, io);
            loadStateDict(sd, f, type);
            INDArray y = sd.output(Map.of("x", f.npy("input", type)), "y").get("y");
            INDArray expected = f.npy(type == DataType.DOUBLE ? "y_float64" : "ref_outputs/y", type);
            double diff = y.sub(expected).amaxNumber().doubleValue();
            assertTrue(diff < (type == DataType.DOUBLE ? 1e-12 : 1e-6), type + " max abs diff " + diff);
        }
    }

    @Test
    void tokenStreamLayersMatchPyTorch() {
        Fixture f = Fixture.load("onnx_tiny", "linear_ln_mha_sigmoid_opset13");
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            INDArray input = f.npy("input", type);
            long b = input.size(0), l = input.size(1);
            SameDiff sd = tinyModule2d(type, l);
            loadStateDict(sd, f, type);
            INDArray y = sd.output(Map.of("x", input.reshape(b * l, 8)), "y").get("y");
            INDArray expected = f.npy(type == DataType.DOUBLE ? "y_float64" : "ref_outputs/y", type).reshape(b * l, 3);
            double diff = y.sub(expected).amaxNumber().doubleValue();
            assertTrue(diff < (type == DataType.DOUBLE ? 1e-12 : 1e-6), type + " max abs diff " + diff);
        }
    }

    @Test
    void tokenStreamPaddingBiasHidesPaddedKeys() {
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, DataType.DOUBLE, 3);
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 4);
        SDVariable mask = sd.placeHolder("mask", DataType.DOUBLE, -1, 5);
        MultiheadAttention.apply2d(p, "attn", x, x, x, 5, 5, 4, 2, MultiheadAttention.keyPaddingBias(sd, mask, 5)).rename("out");
        SameDiff sd3 = SameDiff.create();
        ParamFactory p3 = new ParamFactory(sd3, DataType.DOUBLE, 3);
        SDVariable x3 = sd3.placeHolder("x", DataType.DOUBLE, -1, -1, 4);
        SDVariable m3 = sd3.placeHolder("mask", DataType.DOUBLE, -1, -1);
        MultiheadAttention.apply(p3, "attn", x3, x3, x3, 4, 2, MultiheadAttention.keyPaddingBias(sd3, m3)).rename("out");
        INDArray in = Nd4j.rand(DataType.DOUBLE, 2, 5, 4);
        in.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 5)).muli(100);
        INDArray m = Nd4j.createFromArray(new double[][]{{0, 0, 0, 0, 0}, {0, 0, 0, 1, 1}});
        INDArray flat = sd.output(Map.of("x", in.reshape(10, 4), "mask", m), "out").get("out");
        INDArray batched = sd3.output(Map.of("x", in, "mask", m), "out").get("out");
        // same parameters (same seed and creation order), same masking as the additive-bias form
        assertTrue(flat.equalsWithEps(batched.reshape(10, 4), 1e-12), flat + " vs " + batched);
        // changing the padded keys of image 1 changes nothing for its valid queries (rows 5..7)
        INDArray other = in.dup();
        other.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 5)).muli(-0.5);
        INDArray flat2 = sd.output(Map.of("x", other.reshape(10, 4), "mask", m), "out").get("out");
        org.nd4j.linalg.indexing.INDArrayIndex valid = org.nd4j.linalg.indexing.NDArrayIndex.interval(5, 8);
        assertTrue(flat2.get(valid).equalsWithEps(flat.get(valid), 1e-12), flat2.get(valid) + " vs " + flat.get(valid));
        assertFalse(flat2.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 10)).equalsWithEps(
                flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 10)), 1e-6), "the padded queries themselves change");
    }

    @Test
    void tokenStreamGradientsMatchFiniteDifferences() {
        SameDiff sd = tinyModule2d(DataType.DOUBLE, 5);
        Nd4j.getRandom().setSeed(1234);
        sd.setLossVariables(sd.getVariable("y").mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 2 * 5, 3))).sum("loss"));
        Map<String, INDArray> feed = Map.of("x", Nd4j.rand(DataType.DOUBLE, 2 * 5, 8).subi(0.5));
        var bad = CentralDifference.failures(sd, "loss", feed, CentralDifference.trainable(sd), 4, 1e-6, 1e-6, 42);
        assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
    }

    @Test
    void keyPaddingBiasHidesPaddedKeys() {
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, DataType.DOUBLE, 3);
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, -1, 4);
        SDVariable mask = sd.placeHolder("mask", DataType.DOUBLE, -1, -1);
        SDVariable out = MultiheadAttention.apply(p, "attn", x, x, x, 4, 2, MultiheadAttention.keyPaddingBias(sd, mask));
        out.rename("out");
        INDArray in = Nd4j.rand(DataType.DOUBLE, 1, 3, 4);
        INDArray padded = Nd4j.concat(1, in, Nd4j.rand(DataType.DOUBLE, 1, 2, 4).muli(100));
        INDArray withPad = sd.output(Map.of("x", padded, "mask", Nd4j.createFromArray(new double[][]{{0, 0, 0, 1, 1}})), "out").get("out");
        INDArray without = sd.output(Map.of("x", in, "mask", Nd4j.zeros(DataType.DOUBLE, 1, 3)), "out").get("out");
        // the valid queries see only the valid keys: same result as without the padding
        INDArray validPart = withPad.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
        assertTrue(validPart.equalsWithEps(without, 1e-12), validPart + " vs " + without);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SDVariable[] io = new SDVariable[2];
        SameDiff sd = tinyModule(DataType.DOUBLE, io);
        Nd4j.getRandom().setSeed(1234);
        SDVariable loss = io[1].mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 2, 5, 3))).sum("loss");
        sd.setLossVariables(loss);
        Map<String, INDArray> feed = Map.of("x", Nd4j.rand(DataType.DOUBLE, 2, 5, 8).subi(0.5));
        var bad = CentralDifference.failures(sd, "loss", feed, CentralDifference.trainable(sd), 4, 1e-6, 1e-6, 42);
        assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
    }
}
