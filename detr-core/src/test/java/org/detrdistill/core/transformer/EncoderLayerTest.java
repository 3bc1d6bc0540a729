package org.detrdistill.core.transformer;

import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.nn.MultiheadAttention;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.Fixture;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The DETR encoder layer against Conditional DETR's reference encoder (1 layer, d 256, 8 heads, FFN 64), on 2-D token
 * streams ({@code [B·S, d]}).
 */
class EncoderLayerTest {

    /** [B, d, H, W] -> [B·H·W, d] */
    private static INDArray tokens(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1).dup().reshape(-1, nchw.size(1));
    }

    private static SameDiff encoder(DataType type, long s) {
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, type, 1);
        SDVariable src = sd.placeHolder("src", type, -1, 256);
        SDVariable pos = sd.placeHolder("pos", type, -1, 256);
        SDVariable mask = sd.placeHolder("mask", type, -1, s);
        EncoderLayer.apply(p, "encoder.layers.0", src, pos, MultiheadAttention.keyPaddingBias(sd, mask, s), s, 256, 8, 64).rename("memory");
        return sd;
    }

    @Test
    void matchesConditionalDetrEncoder() {
        Fixture f = Fixture.load("conditional_detr", "transformer_enc1_dec2_q10");
        INDArray src0 = f.npy("src");
        long s = src0.size(2) * src0.size(3);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            SameDiff sd = encoder(type, s);
            WeightLoader.Report r = new WeightLoader().ignore(k -> !k.startsWith("encoder."))
                    .load(StateDict.readNpyFolder(f.dir().resolve("params")), sd);
            assertEquals(12, r.loaded().size(), r.toString());
            INDArray mask = f.npy("mask").castTo(type).reshape(2, -1);
            INDArray out = sd.output(Map.of("src", tokens(f.npy("src", type)), "pos", tokens(f.npy("pos_embed", type)),
                    "mask", mask), "memory").get("memory");
            INDArray expected = f.npy("intermediate/memory", type).permute(1, 0, 2).dup().reshape(-1, 256);
            double diff = out.sub(expected).amaxNumber().doubleValue();
            assertTrue(diff < (type == DataType.DOUBLE ? 1e-9 : 1e-4), type + " max abs diff " + diff);
        }
    }

    @Test
    void loaderReportsUnknownAndMisshapedKeysByName() {
        SameDiff sd = encoder(DataType.FLOAT, 4);
        Map<String, INDArray> bad = Map.of("encoder.layers.0.norm1.weight", Nd4j.ones(DataType.FLOAT, 3),
                "encoder.layers.0.bogus", Nd4j.ones(DataType.FLOAT, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightLoader().load(new StateDict(bad, "test.npz"), sd));
        assertTrue(e.getMessage().contains("unknown key 'encoder.layers.0.bogus'"), e.getMessage());
        assertTrue(e.getMessage().contains("shape mismatch for 'encoder.layers.0.norm1.weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("missing from the state_dict") && e.getMessage().contains("linear1.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("test.npz"), e.getMessage());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        DataType saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            SameDiff sd = SameDiff.create();
            ParamFactory p = new ParamFactory(sd, DataType.DOUBLE, 5);
            SDVariable src = sd.placeHolder("src", DataType.DOUBLE, -1, 8);
            SDVariable pos = sd.placeHolder("pos", DataType.DOUBLE, -1, 8);
            SDVariable mask = sd.placeHolder("mask", DataType.DOUBLE, -1, 5);
            SDVariable out = EncoderLayer.apply(p, "enc", src, pos, MultiheadAttention.keyPaddingBias(sd, mask, 5), 5, 8, 2, 6);
            Nd4j.getRandom().setSeed(1234);
            out.mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 2 * 5, 8))).sum("loss");
            Map<String, INDArray> feed = Map.of("src", Nd4j.randn(DataType.DOUBLE, 2 * 5, 8), "pos", Nd4j.randn(DataType.DOUBLE, 2 * 5, 8),
                    "mask", Nd4j.createFromArray(new double[][]{{0, 0, 0, 0, 0}, {0, 0, 0, 1, 1}}));
        var bad = CentralDifference.failures(sd, "loss", feed, CentralDifference.trainable(sd), 4, 1e-6, 1e-6, 42);
            assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
        } finally {
            Nd4j.setDefaultDataTypes(saved, saved);
        }
    }
}
