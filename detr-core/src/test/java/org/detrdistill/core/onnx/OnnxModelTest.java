package org.detrdistill.core.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** Reading ONNX files: inputs/outputs, op counts, initializers, folded-export detection, bad files. */
class OnnxModelTest {

    @Test
    void tinyModelSummaryMatchesManifest() {
        Fixture f = Fixture.load("onnx_tiny", "linear_ln_mha_sigmoid_opset13");
        OnnxModel m = OnnxModel.read(f.dir().resolve("model.onnx"));
        assertEquals(13, m.opset());
        assertEquals("x", m.inputs().get(0).name());
        assertArrayEquals(new long[]{2, 5, 8}, m.inputs().get(0).shape());
        assertEquals("FLOAT", m.inputs().get(0).dataType());
        assertEquals("y", m.outputs().get(0).name());
        Map<String, Integer> expected = new TreeMap<>();
        JsonNode counts = f.manifest().path("onnx_graph").path("op_type_counts");
        for (Iterator<String> it = counts.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            expected.put(k, counts.get(k).asInt());
        }
        assertEquals(expected, m.opTypeCounts());
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (OnnxModel.TensorInfo t : m.initializers()) names.add(t.name());
        java.util.Set<String> listed = new java.util.TreeSet<>();
        f.manifest().path("onnx_graph").path("initializer_names").forEach(n -> listed.add(n.asText()));
        assertEquals(listed, names);
        assertFalse(m.constantsFolded());
        m.requireStateDictNames();
        long params = 0;
        for (String n : names) {
            INDArray ref = f.npy("state_dict/" + n);
            INDArray got = m.initializer(n);
            assertEquals(DataType.FLOAT, got.dataType(), n);
            assertEquals(ref, got, n);
            params += ref.length();
        }
        assertEquals(params, m.parameterCount());
        assertEquals(names, m.stateDict().keys());
        assertEquals(f.npy("state_dict/proj.weight"), m.stateDict().get("proj.weight"));
        System.out.println(m + ": " + m.inputs() + " -> " + m.outputs() + ", " + params + " parameters");
    }

    @Test
    void conditionalDetrParameterCount() {
        Fixture f = Fixture.load("onnx_teachers", "conditional_detr");
        OnnxModel m = OnnxModel.read(f.dir().resolve("model.onnx"));
        assertEquals(f.manifest().path("onnx_graph").path("n_initializers").asInt(), m.initializers().size());
        assertEquals(f.manifest().path("onnx_graph").path("n_nodes").asInt(), m.proto().getGraph().getNodeCount());
        assertFalse(m.constantsFolded());
        // num_params counts nn.Parameters; the initializers also hold the backbone's FrozenBatchNorm2d buffers
        // (weight, bias, running_mean, running_var of every bn<i> and downsample.1).
        java.util.regex.Pattern frozenBn = java.util.regex.Pattern.compile("^backbone\\..*\\.(bn\\d|downsample\\.1)\\.[a-z_]+$");
        long buffers = m.initializers().stream().filter(t -> frozenBn.matcher(t.name()).matches())
                .mapToLong(t -> java.util.Arrays.stream(t.shape()).reduce(1, (a, b) -> a * b)).sum();
        System.out.println("conditional_detr initializer elements " + m.parameterCount() + ", of which frozen-BN " + buffers
                + ", manifest num_params " + f.config().path("num_params").asLong());
        assertEquals(f.config().path("num_params").asLong() + buffers, m.parameterCount());
    }

    @Test
    void typedFieldsAndRawDataReadAlike() {
        Onnx.TensorProto typed = Onnx.TensorProto.newBuilder().setName("w").setDataType(7).addDims(3)
                .addInt64Data(4).addInt64Data(-1).addInt64Data(9).build();
        HostTensor a = HostTensor.fromProto(typed);
        HostTensor b = HostTensor.fromProto(a.toProto("w"));
        assertArrayEquals(new long[]{4, -1, 9}, b.longValues());
        Onnx.TensorProto dbl = Onnx.TensorProto.newBuilder().setName("d").setDataType(11).addDims(2)
                .addDoubleData(0.1).addDoubleData(-2.5).build();
        assertEquals(Nd4j.createFromArray(0.1, -2.5), HostTensor.fromProto(dbl).toINDArray());
        Onnx.TensorProto bad = Onnx.TensorProto.newBuilder().setName("bad").setDataType(1).addDims(2).addFloatData(1f).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostTensor.fromProto(bad));
        assertTrue(e.getMessage().contains("'bad'"), e.getMessage());
    }

    @Test
    void detectsConstantFoldedExport(@TempDir Path dir) throws Exception {
        Onnx.ModelProto folded = tinyModel("onnx::MatMul_12");
        Path file = dir.resolve("folded.onnx");
        Files.write(file, folded.toByteArray());
        OnnxModel m = OnnxModel.read(file);
        assertTrue(m.constantsFolded());
        IllegalStateException e = assertThrows(IllegalStateException.class, m::requireStateDictNames);
        assertTrue(e.getMessage().contains("folded.onnx") && e.getMessage().contains("do_constant_folding=False")
                && e.getMessage().contains("onnx::MatMul_12"), e.getMessage());
        assertThrows(IllegalStateException.class, m::stateDict);
        assertFalse(OnnxModel.of(tinyModel("proj.weight"), "named").constantsFolded());
    }

    @Test
    void rejectsFilesThatAreNotOnnx(@TempDir Path dir) throws Exception {
        Path txt = dir.resolve("notes.onnx");
        Files.writeString(txt, "this is not a protobuf message at all\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.read(txt));
        assertTrue(e.getMessage().contains("notes.onnx") && e.getMessage().contains("not an ONNX model"), e.getMessage());
        Path missing = dir.resolve("missing.onnx");
        e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.read(missing));
        assertTrue(e.getMessage().contains("missing.onnx"), e.getMessage());
        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.read(empty));
        assertTrue(e.getMessage().contains("empty.onnx"), e.getMessage());
    }

    /** y = x · W with W an initializer called {@code weightName}. */
    static Onnx.ModelProto tinyModel(String weightName) {
        Onnx.TensorProto w = new HostTensor(HostTensor.Type.FLOAT, new long[]{2, 2}, new double[]{1, 2, 3, 4}).toProto(weightName);
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("g")
                .addInput(OnnxTestGraphs.valueInfo("x", 1, 2)).addOutput(OnnxTestGraphs.valueInfo("y", 1, 2))
                .addInitializer(w)
                .addNode(Onnx.NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput(weightName).addOutput("y"))
                .build();
        return OnnxTestGraphs.model(g, 13);
    }
}
