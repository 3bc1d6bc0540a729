package org.detrdistill.core.onnx;

import onnx.Onnx;
import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The native route of ONNX import on the official exports ({@code onnx_teachers}): variant detection, the architecture
 * read from the initializer shapes (equal to the fixtures' manifests), the heads as the one field the caller gives,
 * the Conditional DETR built from the file and verified against the PyTorch outputs through the inverse output mapping;
 * and the verification helper's refusals. No DL4J graph import.
 */
class OnnxNativeImportTest {
    @TempDir Path tmp;

    private static OnnxModel model(String name) {
        return OnnxModel.read(Fixture.load("onnx_teachers", name).dir().resolve("model.onnx"));
    }

    @Test
    void readsTheConditionalDetrArchitectureAndReproducesTheExport() {
        Fixture f = Fixture.load("onnx_teachers", "conditional_detr");
        OnnxModel m = OnnxModel.read(f.dir().resolve("model.onnx"));
        assertEquals(Variant.CONDITIONAL_DETR, OnnxNativeImport.detectVariant(m).orElseThrow());
        OnnxNativeImport.Inference inf = OnnxNativeImport.infer(m);
        var c = f.config();
        DetectorConfig expected = DetectorConfig.builder(Variant.CONDITIONAL_DETR)
                .backbone(BackboneConfig.preset("tiny")).hiddenDim(c.path("hidden_dim").asInt()).heads(c.path("nheads").asInt())
                .encoderLayers(c.path("enc_layers").asInt()).decoderLayers(c.path("dec_layers").asInt())
                .ffnDim(c.path("dim_feedforward").asInt()).numQueries(c.path("num_queries").asInt())
                .numClasses(c.path("num_classes").asInt()).inputSize(128, 128).build();
        DetectorConfig base = DetectorConfig.builder(Variant.CONDITIONAL_DETR).heads(8).build();   // R50 reference sizes
        assertEquals(expected, inf.apply(base), "the weights give every field but the heads");
        Map<String, String> diff = inf.differences(base);
        assertEquals("300 -> 10", diff.get("numQueries"));
        assertEquals("\"BOTTLENECK\" -> \"BASIC\"", diff.get("backbone.block"));
        assertFalse(diff.containsKey("heads"));

        OnnxOutputMapping mapping = OnnxOutputMapping.defaultsFor(m);
        assertTrue(mapping.memorySequenceFirst(), "memory [16, 1, 256] is sequence-first");
        DetectorGraph g = OnnxNativeImport.build(inf.apply(base), m, DataType.FLOAT);
        INDArray x = f.npy("input");
        Map<String, INDArray> refs = OnnxVerification.readReferences(f.dir().resolve("ref_outputs"), m.outputNames());
        OnnxVerification.Result r = OnnxVerification.compare(OnnxNativeImport.graphOutputs(g, x, mapping), refs, 1e-4, "?");
        System.out.println("native conditional_detr from the ONNX file vs PyTorch: " + r.entries());
        assertEquals(6, r.entries().size());
        assertTrue(r.passed(), r.failures().toString());
        assertTrue(r.notCompared().isEmpty());
        assertFalse(OnnxVerification.compare(OnnxNativeImport.graphOutputs(g, x, mapping), refs, 1e-9, "?").passed());
    }

    @Test
    void deformableDetrPointsComeFromTheHeads() {
        OnnxModel m = model("deformable_detr");
        OnnxNativeImport.Inference inf = OnnxNativeImport.infer(m);
        assertEquals(Variant.DEFORMABLE_DETR, inf.variant());
        assertEquals(4, inf.values().get("deformable.numLevels"));
        assertEquals(false, inf.values().get("deformable.withBoxRefine"));
        DetectorConfig eight = inf.apply(DetectorConfig.builder(Variant.DEFORMABLE_DETR).heads(8).build());
        assertEquals(4, eight.deformable().encoderPoints());
        assertEquals(4, eight.deformable().decoderPoints());
        assertEquals(64, eight.hiddenDim());
        assertEquals(128, eight.ffnDim());
        DetectorConfig four = inf.apply(DetectorConfig.builder(Variant.DEFORMABLE_DETR).heads(4).build());
        assertEquals(8, four.deformable().decoderPoints(), "a wrong head count gives another, valid, model");
        IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
                () -> inf.apply(DetectorConfig.builder(Variant.DEFORMABLE_DETR).hiddenDim(63).heads(3).build()));
        assertTrue(three.getMessage().contains("heads=3"), three.getMessage());
        IllegalArgumentException variant = assertThrows(IllegalArgumentException.class,
                () -> inf.apply(DetectorConfig.builder(Variant.CONDITIONAL_DETR).build()));
        assertTrue(variant.getMessage().contains("deformable_detr"), variant.getMessage());
        assertFalse(OnnxOutputMapping.defaultsFor(m).memorySequenceFirst(), "memory [1, 340, 64] is batch-first");
    }

    @Test
    void otherModelsAreNotNative() {
        OnnxModel tiny = OnnxModel.read(Fixture.load("onnx_tiny", "linear_ln_mha_sigmoid_opset13").dir().resolve("model.onnx"));
        assertTrue(OnnxNativeImport.detectVariant(tiny).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxNativeImport.infer(tiny));
        assertTrue(e.getMessage().contains("official parameter names"), e.getMessage());
        OnnxOutputMapping none = OnnxOutputMapping.defaultsFor(tiny);
        assertTrue(none.byField().isEmpty(), none.toString());
    }

    @Test
    void verificationNamesUnknownReferencesAndShapeMismatches() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("refs"));
        Nd4j.writeAsNumpy(Nd4j.ones(DataType.FLOAT, 2, 3), dir.resolve("y.npy").toFile());
        Nd4j.writeAsNumpy(Nd4j.ones(DataType.FLOAT, 2), dir.resolve("hidden_states.npy").toFile());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> OnnxVerification.readReferences(dir, List.of("y", "z")));
        assertTrue(unknown.getMessage().contains("[hidden_states.npy]") && unknown.getMessage().contains("[y, z]"), unknown.getMessage());
        Files.delete(dir.resolve("hidden_states.npy"));
        Map<String, INDArray> refs = OnnxVerification.readReferences(dir, List.of("y", "z"));
        assertEquals(List.of("y"), List.copyOf(refs.keySet()));

        OnnxVerification.Result shape = OnnxVerification.compare(Map.of("y", Nd4j.ones(DataType.FLOAT, 3, 2)), refs, 1, "-");
        assertFalse(shape.passed());
        assertTrue(shape.entries().get(0).problem().contains("[3, 2]"), shape.entries().toString());
        INDArray nan = Nd4j.ones(DataType.FLOAT, 2, 3);
        nan.putScalar(1, 2, Float.NaN);
        assertFalse(OnnxVerification.compare(Map.of("y", nan), refs, 1, "-").passed(), "NaN never passes");
        INDArray off = Nd4j.ones(DataType.FLOAT, 2, 3).addi(0.25);
        OnnxVerification.Result close = OnnxVerification.compare(Map.of("y", off), refs, 0.3, "-");
        assertTrue(close.passed());
        assertEquals(0.25, close.entries().get(0).maxAbsDiff(), 1e-7);
        OnnxVerification.Result missing = OnnxVerification.compare(Map.of(), refs, 0.3, "not produced");
        assertFalse(missing.passed(), "nothing compared is not a pass");
        assertEquals("not produced", missing.notCompared().get("y"));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> OnnxVerification.readReferences(Files.createDirectories(tmp.resolve("empty")), List.of("y")));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    }

    @Test
    void foldedExportsAreNotNative(@TempDir Path dir) throws Exception {
        Onnx.ModelProto.Builder b = model("conditional_detr").proto().toBuilder();
        Onnx.GraphProto.Builder g = b.getGraphBuilder();
        String old = g.getInitializer(0).getName();
        g.getInitializerBuilder(0).setName("onnx::Conv_123");
        for (Onnx.NodeProto.Builder n : g.getNodeBuilderList()) {
            for (int i = 0; i < n.getInputCount(); i++) if (n.getInput(i).equals(old)) n.setInput(i, "onnx::Conv_123");
        }
        OnnxModel folded = OnnxModel.of(b.build(), "folded.onnx");
        assertTrue(folded.constantsFolded());
        assertTrue(OnnxNativeImport.detectVariant(folded).isEmpty());
    }
}
