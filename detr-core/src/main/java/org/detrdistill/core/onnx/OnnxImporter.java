package org.detrdistill.core.onnx;

import onnx.Onnx;
import org.detrdistill.core.internal.dl4j.QuietStdout;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Imports an ONNX model into SameDiff: {@link OnnxRewriter} first, then DL4J's {@code OnnxFrameworkImporter} on the
 * rewritten graph (with its dump of the graph to {@code System.out} discarded, see {@code QuietStdout}), then the
 * post-import fix (every {@code Mmul} op's t-arguments reset to {@code [alpha=1, beta=0]}).
 *
 * <pre>{@code
 * ImportedOnnx imp = OnnxImporter.importModel(OnnxModel.read(path), Map.of("images", x), true);
 * INDArray logits = imp.sameDiff().output(Map.of("images", x), "pred_logits").get("pred_logits");
 * }</pre>
 */
public final class OnnxImporter {
    /**
     * Op types DL4J's importer maps correctly once the rewrite pass has run (checked by the parity tests); any other
     * op left in the rewritten graph is rejected before import.
     */
    public static final Set<String> IMPORTABLE = new TreeSet<>(List.of(
            "Abs", "Add", "Concat", "Conv", "Cos", "Div", "Gather", "Identity", "Log", "MatMul", "MaxPool", "Mul",
            "ReduceMean", "ReduceSum", "Relu", "Reshape", "Sigmoid", "Sin", "Slice", "Softmax", "Sqrt", "Sub", "Transpose"));

    /**
     * An imported graph with what the rewrite did, how long rewrite and import took, and how many Mmul ops the
     * importer had given wrong t-arguments (anything but {@code [1, 0]}) before the post-import fix.
     */
    public record ImportedOnnx(SameDiff sameDiff, OnnxRewriter.Result rewrite, long rewriteMillis, long importMillis,
                               int mmulOpsFixed) {}

    private OnnxImporter() {}

    /**
     * Rewrites and imports {@code model}.
     *
     * @param inputs         a value for every graph input (the importer needs them at import time; the graph is
     *                       specialised to their shapes)
     * @param foldParameters see {@link OnnxRewriter#rewrite(OnnxModel, Map, boolean)}
     * @throws UnsupportedOperationException naming the op type and node of the first op neither the rewrite pass nor
     *                                       the importer handles
     */
    public static ImportedOnnx importModel(OnnxModel model, Map<String, INDArray> inputs, boolean foldParameters) {
        for (OnnxModel.TensorInfo in : model.inputs()) {
            if (!inputs.containsKey(in.name())) {
                throw new IllegalArgumentException(model.source() + ": no value given for input '" + in.name() + "' "
                        + java.util.Arrays.toString(in.shape()) + " (given: " + inputs.keySet() + ")");
            }
        }
        long t0 = System.nanoTime();
        OnnxRewriter.Result rw = OnnxRewriter.rewrite(model, inputs, foldParameters);
        long t1 = System.nanoTime();
        for (Onnx.NodeProto n : rw.model().getGraph().getNodeList()) {
            if (!IMPORTABLE.contains(n.getOpType())) {
                throw new UnsupportedOperationException(model.source() + ": unsupported ONNX op " + n.getOpType()
                        + " (node '" + n.getName() + "'): neither the rewrite pass nor DL4J's importer handles it");
            }
        }
        Map<String, INDArray> feeds = new HashMap<>();
        inputs.forEach((k, v) -> feeds.put(rw.nameOf(k), v));
        SameDiff sd;
        Path tmp = null;
        try {
            tmp = Files.createTempFile("detr-distill-onnx-", ".onnx");
            Files.write(tmp, rw.model().toByteArray());
            String path = tmp.toString();
            sd = QuietStdout.run(() -> new OnnxFrameworkImporter().runImport(path, feeds, false));   // prints the graph
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rewritten model to a temporary file", e);
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) { }
        }
        int fixed = resetMmulArguments(sd);
        return new ImportedOnnx(sd, rw, (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000, fixed);
    }

    /**
     * The post-import fix: the importer gives every MatMul alpha 0 and beta 1 (an all-zero product); reset each
     * {@code Mmul} op's t-arguments to {@code [1, 0]}.
     *
     * @return how many Mmul ops had other t-arguments
     */
    public static int resetMmulArguments(SameDiff sd) {
        int fixed = 0;
        for (DifferentialFunction f : sd.ops()) {
            if (f instanceof Mmul m) {
                double[] t = m.tArgs();
                if (!(t.length == 2 && t[0] == 1.0 && t[1] == 0.0)) fixed++;
                while (m.numTArguments() > 0) m.removeTArgument(m.getTArgument(0));
                m.addTArgument(1.0, 0.0);
            }
        }
        return fixed;
    }
}
