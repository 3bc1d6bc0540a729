package org.detrdistill.core.onnx.eval;

import onnx.Onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain-Java evaluator of ONNX graphs over {@link HostTensor}s: the reference the imported SameDiff graph is
 * checked against, and the engine that computes the static shapes and the folded constants of the rewrite pass.
 * Slow (single-threaded loops) but exact to float32 rounding per op; meant for small, fixed-size graphs.
 */
public final class OnnxInterpreter {
    private OnnxInterpreter() {}

    /**
     * Evaluates {@code nodes} (topologically sorted) from the given tensors.
     *
     * @param nodes   the nodes in order
     * @param initial graph inputs and initializers by name
     * @param opset   default-domain opset of the model
     * @return every tensor computed or given, by name
     * @throws IllegalArgumentException naming the node when an input is missing or an op fails
     * @throws UnsupportedOperationException naming the op type and node for an op the interpreter lacks
     */
    public static Map<String, HostTensor> run(List<Onnx.NodeProto> nodes, Map<String, HostTensor> initial, int opset) {
        Map<String, HostTensor> values = new HashMap<>(initial);
        for (Onnx.NodeProto n : nodes) {
            List<HostTensor> in = new ArrayList<>(n.getInputCount());
            for (String name : n.getInputList()) {
                if (name.isEmpty()) { in.add(null); continue; }
                HostTensor v = values.get(name);
                if (v == null) throw new IllegalArgumentException(NodeAttributes.describe(n) + " reads '" + name + "', which no earlier node produces");
                in.add(v);
            }
            List<HostTensor> out = OpKernels.run(n, in, opset);
            for (int i = 0; i < n.getOutputCount(); i++) {
                if (!n.getOutput(i).isEmpty() && i < out.size()) values.put(n.getOutput(i), out.get(i));
            }
        }
        return values;
    }

    /** Evaluates a whole model on {@code inputs} and returns its graph outputs by name. */
    public static Map<String, HostTensor> runModel(Onnx.ModelProto model, Map<String, HostTensor> inputs) {
        Map<String, HostTensor> init = new HashMap<>(inputs);
        for (Onnx.TensorProto t : model.getGraph().getInitializerList()) init.put(t.getName(), HostTensor.fromProto(t));
        int opset = model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToInt(o -> (int) o.getVersion()).findFirst().orElse(13);
        Map<String, HostTensor> all = run(model.getGraph().getNodeList(), init, opset);
        Map<String, HostTensor> out = new java.util.LinkedHashMap<>();
        for (Onnx.ValueInfoProto o : model.getGraph().getOutputList()) out.put(o.getName(), all.get(o.getName()));
        return out;
    }
}
