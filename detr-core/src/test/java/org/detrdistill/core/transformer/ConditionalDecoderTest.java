package org.detrdistill.core.transformer;

import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.nn.MultiheadAttention;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.position.SineEmbedding;
import org.detrdistill.core.testutil.Fixture;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Encoder + Conditional DETR decoder against the reference {@code Transformer} (fixture
 * {@code conditional_detr/transformer_enc1_dec2_q10}: d 256, 8 heads, 1 encoder and 2 decoder layers, FFN 64,
 * 10 queries, one padded image), on 2-D token streams ({@code [B·L, d]}).
 */
class ConditionalDecoderTest {

    /** [B, d, H, W] -> [B·H·W, d] */
    private static INDArray tokens(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1).dup().reshape(-1, nchw.size(1));
    }

    private static SameDiff transformer(DataType type, long q, long s) {
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, type, 1);
        SDVariable src = sd.placeHolder("src", type, -1, 256);
        SDVariable pos = sd.placeHolder("pos", type, -1, 256);
        SDVariable queryPos = sd.placeHolder("query_pos", type, -1, 256);
        SDVariable bias = MultiheadAttention.keyPaddingBias(sd, sd.placeHolder("mask", type, -1, s), s);
        SDVariable memory = EncoderLayer.apply(p, "encoder.layers.0", src, pos, bias, s, 256, 8, 64).rename("memory");
        ConditionalDecoder.Output out = ConditionalDecoder.apply(p, "decoder", queryPos, memory, bias, pos, q, s, 256, 8, 64, 2);
        for (int i = 0; i < out.hidden().size(); i++) out.hidden().get(i).rename("hs_" + i);
        out.reference().rename("references");
        return sd;
    }

    @Test
    void matchesReferenceTransformer() {
        Fixture f = Fixture.load("conditional_detr", "transformer_enc1_dec2_q10");
        INDArray src0 = f.npy("src");
        long q = f.npy("query_embed").size(0), s = src0.size(2) * src0.size(3);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            SameDiff sd = transformer(type, q, s);
            WeightLoader.Report r = new WeightLoader().load(StateDict.readNpyFolder(f.dir().resolve("params")), sd);
            assertEquals(12 + 36 + 34 + 2 + 4 + 4, r.loaded().size(), r.toString());
            INDArray queryEmbed = f.npy("query_embed", type);
            INDArray queryPos = Nd4j.concat(0, queryEmbed, queryEmbed);                       // [B·Q, d], B = 2
            Map<String, INDArray> feed = Map.of("src", tokens(f.npy("src", type)), "pos", tokens(f.npy("pos_embed", type)),
                    "query_pos", queryPos, "mask", f.npy("mask", type).reshape(2, -1));
            Map<String, INDArray> out = sd.output(feed, "memory", "hs_0", "hs_1", "references");
            double tol = type == DataType.DOUBLE ? 1e-7 : 1e-4;
            INDArray hs = f.npy("hs", type);
            double[] diffs = {
                    maxDiff(out.get("memory"), ConditionalDecoderLayerTest.rows(f.npy("intermediate/memory", type))),
                    maxDiff(out.get("hs_0"), hs.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).reshape(-1, 256)),
                    maxDiff(out.get("hs_1"), hs.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).reshape(-1, 256)),
                    maxDiff(out.get("references"), f.npy("references", type).reshape(-1, 2))};
            System.out.printf("transformer %s max abs diff: memory %.2e, hs_0 %.2e, hs_1 %.2e, references %.2e%n",
                    type, diffs[0], diffs[1], diffs[2], diffs[3]);
            for (double d : diffs) assertTrue(d <= tol, type + " " + java.util.Arrays.toString(diffs));
        }
    }

    private static double maxDiff(INDArray a, INDArray b) {
        assertArrayEquals(b.shape(), a.shape());
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void sineEmbeddingHasHalfTheWidthAsFrequencies() {
        SineEmbedding s = ConditionalDecoder.sineEmbedding(256);
        assertEquals(SineEmbedding.conditionalDetr(), s, "d 256 is the reference embedding");
        assertEquals(16, ConditionalDecoder.sineEmbedding(16).outputWidth());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConditionalDecoder.sineEmbedding(18));
        assertTrue(e.getMessage().contains("divisible by 4"), e.getMessage());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        DataType saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            Nd4j.getRandom().setSeed(23);
            SameDiff sd = SameDiff.create();
            ParamFactory p = new ParamFactory(sd, DataType.DOUBLE, 4);
            // inputs as variables: see ConditionalDecoderLayerTest (placeholders behind a reshape get no gradient)
            SDVariable memory = sd.var("in.memory", Nd4j.randn(DataType.DOUBLE, 2 * 5, 8));
            SDVariable pos = sd.var("in.pos", Nd4j.randn(DataType.DOUBLE, 2 * 5, 8));
            SDVariable queryPos = sd.var("in.query_pos", Nd4j.randn(DataType.DOUBLE, 2 * 3, 8));
            SDVariable bias = MultiheadAttention.keyPaddingBias(sd,
                    sd.constant(Nd4j.createFromArray(new double[][]{{0, 0, 0, 0, 0}, {0, 0, 1, 1, 1}})), 5);
            ConditionalDecoder.Output out = ConditionalDecoder.apply(p, "dec", queryPos, memory, bias, pos, 3, 5, 8, 2, 6, 3);
            SDVariable loss = out.reference().mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 2 * 3, 2))).sum();
            for (SDVariable h : out.hidden()) loss = loss.add(h.mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 2 * 3, 8))).sum());
            loss.rename("loss");
            List<String> vars = new ArrayList<>();
            for (String v : CentralDifference.trainable(sd)) {
                if (v.startsWith("in.") || v.contains("ref_point_head") || v.contains("query_scale") || v.startsWith("dec.norm")
                        || v.contains("ca_qpos_sine_proj.weight") || v.contains("ca_qpos_proj.weight")) vars.add(v);
            }
            assertEquals(3 + 4 + 4 + 2 + 3 + 1, vars.size(), vars.toString());
            var bad = CentralDifference.failures(sd, "loss", new HashMap<>(), vars, 2, 1e-6, 1e-6, 5);
            assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
        } finally {
            Nd4j.setDefaultDataTypes(saved, saved);
        }
    }
}
