package org.detrdistill.core.onnx;

import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The Conditional DETR teacher through OnnxTeacherGraph: parity per graph output and the contract mapping. */
class OnnxTeacherGraphTest {

    private static double maxDiff(INDArray a, INDArray b) {
        assertArrayEquals(b.shape(), a.shape());
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void conditionalDetrTeacherMatchesPyTorchAndMapsTheContract() {
        Fixture f = Fixture.load("onnx_teachers", "conditional_detr");
        INDArray x = f.npy("input");
        long t0 = System.nanoTime();
        OnnxTeacherGraph t = OnnxTeacherGraph.load(f.dir().resolve("model.onnx"), OnnxOutputMapping.detrDefaults(), x);
        var imp = t.imported();
        System.out.printf("conditional_detr: load %.1f s (rewrite %d ms, DL4J import %d ms), %d SameDiff ops, %d Mmul fixed, rules %s%n",
                (System.nanoTime() - t0) / 1e9, imp.rewriteMillis(), imp.importMillis(), t.sameDiff().ops().length, imp.mmulOpsFixed(),
                imp.rewrite().ruleCounts());
        for (SDVariable v : t.sameDiff().variables()) assertNotEquals(VariableType.VARIABLE, v.getVariableType(), v.name() + " is trainable");
        assertNull(t.sameDiff().getTrainingConfig());

        // parity per graph output, float32, max |diff| <= 1e-4
        String[] outs = t.model().outputNames().stream().map(imp.rewrite()::nameOf).toArray(String[]::new);
        Map<String, INDArray> raw = t.sameDiff().output(Map.of(t.inputName(), x), outs);
        for (String name : t.model().outputNames()) {
            double d = maxDiff(raw.get(imp.rewrite().nameOf(name)), f.npy("ref_outputs/" + name));
            System.out.printf("  %-12s max|diff| %.3e%n", name, d);
            assertTrue(d <= 1e-4, name + " differs by " + d);
        }

        // the contract, on a batch of two (run image by image on the batch-1 import)
        assertEquals(2, t.numStages());
        assertEquals(java.util.List.of("pred_logits", "pred_boxes", "stage_0/logits", "stage_0/boxes", "stage_0/hidden",
                "stage_1/logits", "stage_1/boxes", "stage_1/hidden", "memory"), java.util.List.copyOf(t.provides()));
        INDArray batch = Nd4j.concat(0, x, x.mul(0.5));
        Map<String, INDArray> c = t.run(batch);
        assertEquals(t.provides(), c.keySet());
        INDArray first = c.get(DetectorNames.LOGITS).get(NDArrayIndex.interval(0, 1)).dup();
        assertTrue(maxDiff(first, f.npy("ref_outputs/pred_logits")) <= 1e-4);
        assertEquals(c.get(DetectorNames.LOGITS), c.get(DetectorNames.stageLogits(1)));
        INDArray aux = f.npy("ref_outputs/aux_boxes").get(NDArrayIndex.point(0));
        assertTrue(maxDiff(c.get(DetectorNames.stageBoxes(0)).get(NDArrayIndex.interval(0, 1)).dup(), aux) <= 1e-4);
        INDArray hs1 = f.npy("ref_outputs/hs").get(NDArrayIndex.point(1));
        assertTrue(maxDiff(c.get(DetectorNames.stageHidden(1)).get(NDArrayIndex.interval(0, 1)).dup(), hs1) <= 1e-4);
        INDArray memRef = f.npy("ref_outputs/memory").permute(1, 0, 2);   // [HW,1,d] -> [1,HW,d]
        assertTrue(maxDiff(c.get(DetectorNames.MEMORY).get(NDArrayIndex.interval(0, 1)).dup(), memRef) <= 1e-4);
        assertArrayEquals(new long[]{2, 16, 256}, c.get(DetectorNames.MEMORY).shape());
        assertFalse(c.get(DetectorNames.LOGITS).get(NDArrayIndex.interval(1, 2)).equalsWithEps(first, 1e-3),
                "the second image must get its own prediction");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.run(Nd4j.zeros(DataType.FLOAT, 1, 3, 64, 64)));
        assertTrue(e.getMessage().contains("[1, 3, 128, 128]"), e.getMessage());
    }

    @Test
    void deformableDetrTeacherWithGridSampleMatchesPyTorch() {
        Fixture f = Fixture.load("onnx_teachers", "deformable_detr");
        INDArray x = f.npy("input");
        OnnxOutputMapping mapping = OnnxOutputMapping.detrDefaults().toBuilder().memorySequenceFirst(false).build();
        long t0 = System.nanoTime();
        OnnxTeacherGraph t = OnnxTeacherGraph.load(f.dir().resolve("model.onnx"), mapping, x);
        var imp = t.imported();
        System.out.printf("deformable_detr: load %.1f s (rewrite %d ms, DL4J import %d ms), %d SameDiff ops, %d Mmul fixed, rules %s%n",
                (System.nanoTime() - t0) / 1e9, imp.rewriteMillis(), imp.importMillis(), t.sameDiff().ops().length, imp.mmulOpsFixed(),
                imp.rewrite().ruleCounts());
        assertEquals(16, imp.rewrite().ruleCounts().get("gridsample-lowering"));
        String[] outs = t.model().outputNames().stream().map(imp.rewrite()::nameOf).toArray(String[]::new);
        Map<String, INDArray> raw = t.sameDiff().output(Map.of(t.inputName(), x), outs);
        for (String name : t.model().outputNames()) {
            double d = maxDiff(raw.get(imp.rewrite().nameOf(name)), f.npy("ref_outputs/" + name));
            System.out.printf("  %-12s max|diff| %.3e%n", name, d);
            assertTrue(d <= 1e-4, name + " differs by " + d);
        }
        Map<String, INDArray> c = t.run(x);
        assertTrue(maxDiff(c.get(DetectorNames.MEMORY), f.npy("ref_outputs/memory")) <= 1e-4);
        assertTrue(maxDiff(c.get(DetectorNames.stageLogits(0)), f.npy("ref_outputs/aux_logits").get(NDArrayIndex.point(0))) <= 1e-4);
    }

    @Test
    void unknownOutputNamesAreRejectedWithTheGraphOutputs() {
        Fixture f = Fixture.load("onnx_tiny", "linear_ln_mha_sigmoid_opset13");
        OnnxOutputMapping bad = OnnxOutputMapping.builder().logits("y").boxes("pred_boxes").hidden("hs").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxTeacherGraph.load(f.dir().resolve("model.onnx"), bad, f.npy("input")));
        assertTrue(e.getMessage().contains("[pred_boxes (boxes), hs (hidden)]") && e.getMessage().contains("[y]"), e.getMessage());
    }

    @Test
    void mappingJsonRoundTripAndUnknownField() {
        OnnxOutputMapping m = OnnxOutputMapping.detrDefaults();
        assertEquals(m, OnnxOutputMapping.fromJson(m.toJson(), "m.json"));
        OnnxOutputMapping withFeatures = m.toBuilder().memorySequenceFirst(false).features("f0", "f1").build();
        assertEquals(withFeatures, OnnxOutputMapping.fromJson(withFeatures.toJson(), "m.json"));
        assertEquals(java.util.List.of(), OnnxOutputMapping.fromJson("{\"logits\": \"a\"}", "m.json").features());
        assertEquals("f1", withFeatures.byField().get("features[1]"));
        assertEquals(OnnxOutputMapping.builder().logits("pred_logits").hidden("hs").memorySequenceFirst(true).build(),
                m.restrictTo(java.util.List.of("pred_logits", "hs", "other")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxOutputMapping.fromJson("{\"logits\": \"a\", \"logit_names\": \"b\"}", "teacher.json"));
        assertTrue(e.getMessage().contains("teacher.json") && e.getMessage().contains("logit_names"), e.getMessage());
    }
}
