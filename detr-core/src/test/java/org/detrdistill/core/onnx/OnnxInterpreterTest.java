package org.detrdistill.core.onnx;

import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.OnnxInterpreter;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain-Java ONNX interpreter reproduces the PyTorch reference outputs of the fixtures. */
class OnnxInterpreterTest {

    static double maxAbsDiff(INDArray a, INDArray b) {
        assertEquals(java.util.Arrays.toString(b.shape()), java.util.Arrays.toString(a.shape()));
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    private static void check(String group, String caseName, double tol) {
        Fixture f = Fixture.load(group, caseName);
        OnnxModel m = OnnxModel.read(f.dir().resolve("model.onnx"));
        String input = m.inputs().get(0).name();
        long t0 = System.nanoTime();
        Map<String, HostTensor> out = OnnxInterpreter.runModel(m.proto(), Map.of(input, HostTensor.of(f.npy("input"))));
        System.out.printf("%s/%s interpreted in %.0f ms%n", group, caseName, (System.nanoTime() - t0) / 1e6);
        for (String name : m.outputNames()) {
            INDArray ref = f.npy("ref_outputs/" + name);
            double d = maxAbsDiff(out.get(name).toINDArray(), ref);
            System.out.printf("  %-12s %-16s max|diff| %.3e%n", name, java.util.Arrays.toString(ref.shape()), d);
            assertTrue(d <= tol, name + " differs by " + d);
        }
    }

    @Test
    void tinyOpset13() { check("onnx_tiny", "linear_ln_mha_sigmoid_opset13", 1e-5); }

    @Test
    void tinyOpset17() { check("onnx_tiny", "linear_ln_mha_sigmoid_opset17", 1e-5); }

    @Test
    void conditionalDetr() { check("onnx_teachers", "conditional_detr", 1e-4); }

    @Test
    void deformableDetrWithGridSample() { check("onnx_teachers", "deformable_detr", 1e-4); }
}
