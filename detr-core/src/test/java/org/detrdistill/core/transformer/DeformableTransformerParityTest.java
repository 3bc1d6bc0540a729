package org.detrdistill.core.transformer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DeformableTransformer} against the {@code deformable_detr/transformer_*} fixtures (official
 * {@code DeformableTransformer.forward}, one padded image per batch): valid ratios (exact, float32 arithmetic), encoder
 * memory, every decoder layer's output, the initial and the per-layer reference points (refined boxes with
 * {@code with_box_refine}). DOUBLE within 1e-6 (the reference's ratios/points are float32 and are reproduced in float32),
 * FLOAT within 1e-4. The plain-INDArray {@link DeformableTransformerReference} matches the fixture and the graph
 * within 1e-12.
 */
class DeformableTransformerParityTest {
    private static DataType saved;

    @BeforeAll static void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    @ParameterizedTest
    @CsvSource({"transformer_d32_L3_enc1_dec2_q10, DOUBLE, 1e-6", "transformer_d32_L3_enc1_dec2_q10, FLOAT, 1e-4",
            "transformer_d32_L3_enc1_dec2_q10_boxrefine, DOUBLE, 1e-6", "transformer_d32_L3_enc1_dec2_q10_boxrefine, FLOAT, 1e-4"})
    void matchesFixture(String caseName, DataType type, double tol) {
        DeformableTransformerHarness h = new DeformableTransformerHarness(caseName, type);
        Map<String, INDArray> feeds = h.feeds();
        INDArray ratios = h.fixture.npy("intermediate/valid_ratios");
        assertEquals(0.0, maxAbsDiff(ratios, feeds.get("valid_ratios")), "valid ratios (float32 values) must be exact");
        assertTrue(ratios.minNumber().doubleValue() < 1, "the fixture pads one image: some ratio < 1");

        Map<String, INDArray> out = h.sd.output(feeds, h.outputs());
        StringBuilder report = new StringBuilder(caseName + " " + type + ":");
        check(report, "memory", h.fixture.npy("intermediate/memory"), out.get("memory"), tol);
        INDArray init = h.fixture.npy("init_reference");
        check(report, "init_reference", init, out.get("init_reference"), tol);
        INDArray hs = h.fixture.npy("hs"), inter = h.fixture.npy("inter_references");
        for (int k = 0; k < h.config.decoderLayers(); k++) {
            check(report, "hs_" + k, hs.get(NDArrayIndex.point(k)), out.get("hs_" + k), tol);
            INDArray expectedRef = k == 0 ? init : inter.get(NDArrayIndex.point(k - 1));
            check(report, "reference_" + k, expectedRef, out.get("reference_" + k), tol);
            if (h.refine) check(report, "refined_" + k, inter.get(NDArrayIndex.point(k)), out.get("refined_" + k), tol);
        }
        if (!h.refine) check(report, "inter_references", inter.get(NDArrayIndex.point(inter.size(0) - 1)), out.get("init_reference"), tol);
        System.out.println(report);
    }

    @ParameterizedTest
    @CsvSource({"transformer_d32_L3_enc1_dec2_q10", "transformer_d32_L3_enc1_dec2_q10_boxrefine"})
    void plainReferenceMatchesFixtureAndGraph(String caseName) {
        DeformableTransformerHarness h = new DeformableTransformerHarness(caseName, DataType.DOUBLE);
        java.util.List<INDArray> srcs = new java.util.ArrayList<>(), masks = new java.util.ArrayList<>(), pos = new java.util.ArrayList<>();
        for (int l = 0; l < h.config.numLevels(); l++) {
            srcs.add(h.fixture.npy("src_" + l));
            masks.add(h.fixture.npy("mask_" + l, DataType.DOUBLE));
            pos.add(h.fixture.npy("pos_embed_" + l));
        }
        Map<String, INDArray> params = org.detrdistill.core.checkpoint.StateDict.readNpyFolder(h.fixture.dir().resolve("params")).asMap();
        DeformableTransformerReference.Result ref = DeformableTransformerReference.forward(h.config, params, srcs, masks, pos,
                h.fixture.npy("query_embed"), h.refine);
        Map<String, INDArray> graph = h.sd.output(h.feeds(), h.outputs());
        StringBuilder report = new StringBuilder(caseName + " plain reference vs fixture / vs graph:");
        check(report, "memory", h.fixture.npy("intermediate/memory"), ref.memory(), 1e-12);
        check(report, "memory(graph)", graph.get("memory"), ref.memory(), 1e-12);
        check(report, "init_reference", h.fixture.npy("init_reference"), ref.initReference(), 1e-12);
        INDArray hs = h.fixture.npy("hs"), inter = h.fixture.npy("inter_references");
        for (int k = 0; k < h.config.decoderLayers(); k++) {
            check(report, "hs_" + k, hs.get(NDArrayIndex.point(k)), ref.hidden().get(k), 1e-12);
            check(report, "hs_" + k + "(graph)", graph.get("hs_" + k), ref.hidden().get(k), 1e-12);
            check(report, "reference_" + k + "(graph)", graph.get("reference_" + k), ref.references().get(k), 1e-12);
            if (h.refine) check(report, "refined_" + k, inter.get(NDArrayIndex.point(k)), ref.refined().get(k), 1e-12);
        }
        assertEquals(h.refine ? h.config.decoderLayers() : 0, ref.refined().size());
        System.out.println(report);
    }

    private static void check(StringBuilder report, String name, INDArray expected, INDArray actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), name);
        double diff = maxAbsDiff(expected, actual);
        report.append(String.format(" %s %.2e", name, diff));
        assertTrue(diff <= tol, name + ": max |diff| " + diff + " > " + tol);
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }
}
