package org.detrdistill.core.transformer;

import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.nn.MultiheadAttention;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.Fixture;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Conditional DETR decoder layer against the reference {@code TransformerDecoderLayer} (fixtures
 * {@code conditional_detr/decoder_layer_first} and {@code decoder_layer_later}: d 256, 8 heads, FFN 64, padded memory).
 * The layer works on 2-D token streams: fixture tensors {@code [L, B, d]} are fed as {@code [B·L, d]}.
 */
class ConditionalDecoderLayerTest {

    private static final String[] INPUTS = {"tgt", "memory", "pos", "query_pos", "query_sine_embed"};

    private static SameDiff layer(DataType type, long q, long s, long d, int heads, long ffn, boolean first, long seed) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> in = new HashMap<>();
        for (String name : INPUTS) in.put(name, sd.placeHolder(name, type, -1, d));
        build(sd, new ParamFactory(sd, type, seed), in, sd.placeHolder("mask", type, -1, s), q, s, d, heads, ffn, first);
        return sd;
    }

    private static void build(SameDiff sd, ParamFactory p, Map<String, SDVariable> in, SDVariable mask, long q, long s,
                              long d, int heads, long ffn, boolean first) {
        ConditionalDecoderLayer.apply(p, "layer", in.get("tgt"), in.get("memory"), MultiheadAttention.keyPaddingBias(sd, mask, s),
                in.get("pos"), in.get("query_pos"), in.get("query_sine_embed"), q, s, d, heads, ffn, first).rename("output");
    }

    /** {@code [L, B, d]} (sequence-first, the reference's layout) → {@code [B·L, d]}. */
    static INDArray rows(INDArray seqFirst) {
        return seqFirst.permute(1, 0, 2).dup().reshape(-1, seqFirst.size(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"decoder_layer_first", "decoder_layer_later"})
    void matchesReferenceLayer(String caseName) {
        Fixture f = Fixture.load("conditional_detr", caseName);
        boolean first = f.config().path("is_first").asBoolean();
        assertEquals(caseName.endsWith("first"), first);
        long q = f.npy("tgt").size(0), s = f.npy("memory").size(0);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            SameDiff sd = layer(type, q, s, 256, 8, 64, first, 3);
            WeightLoader.Report r = new WeightLoader().rule(WeightLoader.Rule.rename(k -> "layer." + k))
                    .load(StateDict.readNpyFolder(f.dir().resolve("params")), sd);
            assertEquals(first ? 36 : 34, r.loaded().size(), r.toString());
            Map<String, INDArray> feed = new HashMap<>();
            for (String name : INPUTS) feed.put(name, rows(f.npy(name, type)));
            feed.put("mask", f.npy("memory_key_padding_mask", type));
            assertTrue(feed.get("mask").sumNumber().doubleValue() > 0, "the fixture pads some keys");
            INDArray out = sd.output(feed, "output").get("output");
            INDArray expected = rows(f.npy("output", type));
            double diff = out.sub(expected).amaxNumber().doubleValue();
            System.out.println(caseName + " " + type + " max abs diff " + diff);
            assertTrue(diff <= (type == DataType.DOUBLE ? 1e-9 : 1e-4), caseName + " " + type + " max abs diff " + diff);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsMatchFiniteDifferences(boolean first) {
        DataType saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            Nd4j.getRandom().setSeed(17);
            // the inputs are variables, not placeholders: in SameDiff 1.0.0-M2.1 a placeholder that reaches the loss
            // only through a reshape gets no gradient (in a detector every input of a layer derives from parameters)
            SameDiff sd = SameDiff.create();
            Map<String, SDVariable> in = new HashMap<>();
            for (String name : INPUTS) {
                boolean queries = !name.equals("memory") && !name.equals("pos");
                in.put(name, sd.var("in." + name, Nd4j.randn(DataType.DOUBLE, 2 * (queries ? 3 : 5), 8)));
            }
            SDVariable mask = sd.constant("mask", Nd4j.createFromArray(new double[][]{{0, 0, 0, 0, 0}, {0, 0, 0, 1, 1}}));
            build(sd, new ParamFactory(sd, DataType.DOUBLE, 7), in, mask, 3, 5, 8, 2, 6, first);
            sd.getVariable("output").mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 2 * 3, 8))).sum("loss");
            List<String> vars = CentralDifference.trainable(sd);
            assertEquals(INPUTS.length + (first ? 36 : 34), vars.size(), vars.toString());
            var bad = CentralDifference.failures(sd, "loss", new HashMap<>(), vars, 2, 1e-6, 1e-6, 11);
            assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
            assertEquals(first, sd.hasVariable("layer.ca_qpos_proj.weight"));
        } finally {
            Nd4j.setDefaultDataTypes(saved, saved);
        }
    }
}
