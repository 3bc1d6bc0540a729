package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.OnnxInterpreter;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Runs the graph once in the plain-Java interpreter on the given inputs to learn the static shape and type of every
 * tensor (the exports are traced at a fixed input size), and classifies tensors:
 * <ul>
 *   <li><b>input-dependent</b>: computed from a graph input through anything but {@code Shape};</li>
 *   <li><b>parameter-dependent</b>: computed from a float initializer of rank ≥ 1 of the model (a weight; not a
 *   constant a rule created, e.g. from a Constant node) through anything but {@code Shape};</li>
 *   <li>otherwise <b>static</b>: constants and shape arithmetic, whose values the analysis knows.</li>
 * </ul>
 */
public final class StaticAnalysis {
    /** Every tensor's value on the analysed inputs. */
    public final Map<String, HostTensor> values;
    /** Names of input-dependent tensors. */
    public final Set<String> inputDependent = new HashSet<>();
    /** Names of parameter-dependent tensors. */
    public final Set<String> parameterDependent = new HashSet<>();

    private StaticAnalysis(Map<String, HostTensor> values) { this.values = values; }

    /**
     * Analyses {@code g} and records every tensor's shape and type in {@code g.shapes} / {@code g.types}.
     *
     * @param inputs a value for every graph input (shapes must be the ones the model will run at)
     * @throws IllegalArgumentException if a graph input has no value
     */
    public static StaticAnalysis run(MutableGraph g, Map<String, HostTensor> inputs) {
        Map<String, HostTensor> init = new HashMap<>();
        for (String in : g.inputNames()) {
            HostTensor v = inputs.get(in);
            if (v == null) throw new IllegalArgumentException("no value given for graph input '" + in + "' (inputs given: " + inputs.keySet() + ")");
            init.put(in, v);
        }
        Set<String> weights = new HashSet<>();
        for (Onnx.TensorProto t : g.initializers.values()) {
            init.put(t.getName(), HostTensor.fromProto(t));
            boolean isFloat = t.getDataType() == 1 || t.getDataType() == 11;
            if (isFloat && t.getDimsCount() >= 1 && g.isModelInitializer(t.getName())) weights.add(t.getName());
        }
        StaticAnalysis a = new StaticAnalysis(OnnxInterpreter.run(g.nodes, init, g.opset()));
        a.inputDependent.addAll(g.inputNames());
        a.parameterDependent.addAll(weights);
        for (Onnx.NodeProto n : g.nodes) {
            if (n.getOpType().equals("Shape")) continue;
            boolean dyn = false, par = false;
            for (String i : n.getInputList()) {
                dyn |= a.inputDependent.contains(i);
                par |= a.parameterDependent.contains(i);
            }
            for (String o : n.getOutputList()) {
                if (dyn) a.inputDependent.add(o);
                if (par) a.parameterDependent.add(o);
            }
        }
        for (Map.Entry<String, HostTensor> e : a.values.entrySet()) {
            g.shapes.put(e.getKey(), e.getValue().shape());
            g.types.put(e.getKey(), e.getValue().type());
        }
        return a;
    }
}
