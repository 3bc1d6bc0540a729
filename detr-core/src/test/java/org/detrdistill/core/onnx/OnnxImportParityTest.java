package org.detrdistill.core.onnx;

import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rewrite + DL4J import + post-import fix reproduce the PyTorch float32 outputs (max |diff| &lt;= 1e-4). */
class OnnxImportParityTest {

    static void parity(String group, String caseName, boolean foldParameters) {
        Fixture f = Fixture.load(group, caseName);
        OnnxModel m = OnnxModel.read(f.dir().resolve("model.onnx"));
        String input = m.inputs().get(0).name();
        INDArray x = f.npy("input");
        OnnxImporter.ImportedOnnx imp = OnnxImporter.importModel(m, Map.of(input, x), foldParameters);
        System.out.printf("%s/%s (foldParameters=%s): rewrite %d ms, import %d ms, %d SameDiff ops, %d Mmul fixed; rules %s%n", group, caseName,
                foldParameters, imp.rewriteMillis(), imp.importMillis(), imp.sameDiff().ops().length, imp.mmulOpsFixed(), imp.rewrite().ruleCounts());
        // the importer's MatMul defect is real (alpha 0, beta 1) and the post-import fix handled it
        assertTrue(imp.mmulOpsFixed() > 0, "expected Mmul ops with wrong t-arguments from the importer");
        SameDiff sd = imp.sameDiff();
        String[] outs = m.outputNames().stream().map(imp.rewrite()::nameOf).toArray(String[]::new);
        long t0 = System.nanoTime();
        Map<String, INDArray> got = sd.output(Map.of(imp.rewrite().nameOf(input), x), outs);
        System.out.printf("  first output() %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        for (String name : m.outputNames()) {
            INDArray ref = f.npy("ref_outputs/" + name);
            INDArray y = got.get(imp.rewrite().nameOf(name));
            assertArrayEquals(ref.shape(), y.shape(), name);
            double d = y.castTo(DataType.DOUBLE).sub(ref.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            System.out.printf("  %-12s %-16s max|diff| %.3e%n", name, java.util.Arrays.toString(ref.shape()), d);
            assertTrue(d <= 1e-4, name + " differs by " + d);
        }
    }

    /** The importer's MatMul defect, observed: raw t-arguments are not [1, 0] and the product comes out wrong. */
    @Test
    void mmulDefectIsRealAndTheFixRepairsIt() throws Exception {
        Fixture f = Fixture.load("onnx_tiny", "linear_ln_mha_sigmoid_opset13");
        OnnxModel m = OnnxModel.read(f.dir().resolve("model.onnx"));
        INDArray x = f.npy("input");
        OnnxRewriter.Result rw = OnnxRewriter.rewrite(m, Map.of("x", x), false);
        java.nio.file.Path tmp = java.nio.file.Files.createTempFile("tiny-rewritten", ".onnx");
        java.nio.file.Files.write(tmp, rw.model().toByteArray());
        SameDiff sd = new org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter().runImport(tmp.toString(), Map.of("x", x), false);
        java.nio.file.Files.delete(tmp);
        java.util.List<String> raw = new java.util.ArrayList<>();
        for (var op : sd.ops()) if (op instanceof org.nd4j.linalg.api.ops.impl.reduce.Mmul mm) raw.add(java.util.Arrays.toString(mm.tArgs()));
        System.out.println("Mmul t-arguments as imported: " + raw);
        INDArray ref = f.npy("ref_outputs/y");
        double before = sd.output(Map.of("x", x), "y").get("y").castTo(DataType.DOUBLE).sub(ref.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        int fixed = OnnxImporter.resetMmulArguments(sd);
        double after = sd.output(Map.of("x", x), "y").get("y").castTo(DataType.DOUBLE).sub(ref.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        System.out.printf("tiny without the Mmul fix: max|diff| %.3e; after fixing %d ops: %.3e%n", before, fixed, after);
        assertTrue(fixed > 0 && before > 1e-2, "expected the stock import to be wrong");
        assertTrue(after <= 1e-4);
    }

    @Test
    void tinyOpset13() { parity("onnx_tiny", "linear_ln_mha_sigmoid_opset13", false); }

    @Test
    void tinyOpset17LayerNormalization() { parity("onnx_tiny", "linear_ln_mha_sigmoid_opset17", false); }
}
