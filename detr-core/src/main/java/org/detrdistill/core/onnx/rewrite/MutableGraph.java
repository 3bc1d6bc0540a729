package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An editable copy of an ONNX graph for the rewrite rules: nodes in topological order, initializers by name, the
 * graph inputs and outputs, the default-domain opset, and the static shape and type of every tensor as far as an
 * analysis ({@link StaticAnalysis}) found them. Rules keep the node list topologically sorted and record the shape
 * and type of every tensor they create.
 */
public final class MutableGraph {
    private final Onnx.ModelProto original;
    /** Nodes, topologically sorted. */
    public final List<Onnx.NodeProto> nodes;
    /** Initializers by name, in file order. */
    public final Map<String, Onnx.TensorProto> initializers = new LinkedHashMap<>();
    /** Graph inputs that are not initializers. */
    public final List<Onnx.ValueInfoProto> inputs;
    /** Graph outputs. */
    public final List<Onnx.ValueInfoProto> outputs;
    /** Static shape of tensors by name (filled by {@link StaticAnalysis}). */
    public final Map<String, long[]> shapes = new HashMap<>();
    /** Element type of tensors by name (filled by {@link StaticAnalysis}). */
    public final Map<String, HostTensor.Type> types = new HashMap<>();
    private int opset;
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> modelInitializers = new HashSet<>();
    private int counter;

    /** An editable copy of {@code model}'s graph (the model itself is not changed). */
    public MutableGraph(Onnx.ModelProto model) {
        this.original = model;
        Onnx.GraphProto g = model.getGraph();
        this.nodes = new ArrayList<>(g.getNodeList());
        for (Onnx.TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
            modelInitializers.add(t.getName());
        }
        this.inputs = new ArrayList<>(g.getInputList());
        this.inputs.removeIf(v -> initializers.containsKey(v.getName()));
        this.outputs = new ArrayList<>(g.getOutputList());
        this.opset = model.getOpsetImportList().stream()
                .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToInt(o -> (int) o.getVersion()).findFirst().orElse(13);
        for (Onnx.NodeProto n : nodes) {
            usedNames.add(n.getName());
            usedNames.addAll(n.getOutputList());
            usedNames.addAll(n.getInputList());
        }
        usedNames.addAll(initializers.keySet());
    }

    /** True if {@code name} was an initializer of the model (a weight), not one a rule created. */
    public boolean isModelInitializer(String name) { return modelInitializers.contains(name); }

    /** The default-domain opset of the model. */
    public int opset() { return opset; }

    /** Changes the default-domain opset {@link #toModel()} declares. */
    public void declareOpset(int version) { opset = version; }

    /** A name not used by any node, tensor or initializer, derived from {@code base}. */
    public String freshName(String base) {
        String name;
        do {
            name = base + "__rw" + (counter++);
        } while (usedNames.contains(name));
        usedNames.add(name);
        return name;
    }

    /** True if a node, tensor or initializer already uses {@code name}. */
    public boolean isUsed(String name) { return usedNames.contains(name); }

    /**
     * Appends a node with one fresh output to {@code sink} and records the output's shape and type.
     *
     * @return the output name
     */
    public String emit(List<Onnx.NodeProto> sink, String opType, String base, long[] shape, HostTensor.Type type,
                       List<String> in, Onnx.AttributeProto... attrs) {
        String out = freshName(base);
        Onnx.NodeProto.Builder b = node(opType, base + "_" + opType, in, List.of(out));
        for (Onnx.AttributeProto a : attrs) b.addAttribute(a);
        sink.add(b.build());
        if (shape != null) shapes.put(out, shape.clone());
        if (type != null) types.put(out, type);
        return out;
    }

    /** Replaces the node at {@code index} by {@code replacement} (in order) and returns how many nodes were inserted. */
    public int replace(int index, List<Onnx.NodeProto> replacement) {
        nodes.remove(index);
        nodes.addAll(index, replacement);
        return replacement.size();
    }

    /** Rewires every reader of {@code from} (nodes and graph outputs are not touched) to read {@code to}. */
    public void rewire(String from, String to) {
        for (int i = 0; i < nodes.size(); i++) {
            Onnx.NodeProto n = nodes.get(i);
            if (!n.getInputList().contains(from)) continue;
            Onnx.NodeProto.Builder b = n.toBuilder().clearInput();
            for (String in : n.getInputList()) b.addInput(in.equals(from) ? to : in);
            nodes.set(i, b.build());
        }
    }

    /** Marks a name as used (so {@link #freshName} avoids it). */
    public void reserve(String name) { usedNames.add(name); }

    /** Adds (or replaces) an initializer and records its shape and type. */
    public String addInitializer(String name, HostTensor value) {
        initializers.put(name, value.toProto(name));
        shapes.put(name, value.shape());
        types.put(name, value.type());
        usedNames.add(name);
        return name;
    }

    /** A fresh initializer holding {@code value}. */
    public String constant(String base, HostTensor value) { return addInitializer(freshName(base), value); }

    /** The value of an initializer, or null if {@code name} is not one. */
    public HostTensor initializerValue(String name) {
        Onnx.TensorProto t = initializers.get(name);
        return t == null ? null : HostTensor.fromProto(t);
    }

    /** Names of the graph inputs (without initializers). */
    public List<String> inputNames() { return inputs.stream().map(Onnx.ValueInfoProto::getName).toList(); }

    /** Names of the graph outputs. */
    public List<String> outputNames() { return outputs.stream().map(Onnx.ValueInfoProto::getName).toList(); }

    /** How many node inputs (and graph outputs) read each tensor. */
    public Map<String, Integer> useCounts() {
        Map<String, Integer> uses = new HashMap<>();
        for (Onnx.NodeProto n : nodes) for (String i : n.getInputList()) if (!i.isEmpty()) uses.merge(i, 1, Integer::sum);
        for (String o : outputNames()) uses.merge(o, 1, Integer::sum);
        return uses;
    }

    /** Removes initializers that nothing reads. */
    public void dropUnusedInitializers() {
        Map<String, Integer> uses = useCounts();
        initializers.keySet().removeIf(k -> !uses.containsKey(k));
    }

    /** A node builder with the given type, inputs and outputs and a fresh name derived from {@code base}. */
    public Onnx.NodeProto.Builder node(String opType, String base, List<String> in, List<String> out) {
        return Onnx.NodeProto.newBuilder().setOpType(opType).setName(freshName(base)).addAllInput(in).addAllOutput(out);
    }

    /** An INTS attribute. */
    public static Onnx.AttributeProto intsAttr(String name, long... values) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INTS)
                .addAllInts(java.util.Arrays.stream(values).boxed().toList()).build();
    }

    /** An INT attribute. */
    public static Onnx.AttributeProto intAttr(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** The graph as a model: the original model's metadata and opsets with the edited graph. */
    public Onnx.ModelProto toModel() {
        Onnx.GraphProto.Builder g = original.getGraph().toBuilder()
                .clearNode().addAllNode(nodes)
                .clearInitializer().addAllInitializer(initializers.values())
                .clearInput().addAllInput(inputs)
                .clearOutput().addAllOutput(outputs)
                .clearValueInfo();
        Onnx.ModelProto.Builder m = original.toBuilder().setGraph(g).clearOpsetImport();
        for (Onnx.OperatorSetIdProto o : original.getOpsetImportList()) {
            boolean dflt = o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx");
            m.addOpsetImport(dflt ? o.toBuilder().setVersion(opset).build() : o);
        }
        return m.build();
    }
}
