package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.NodeAttributes;

import java.util.Arrays;
import java.util.Set;

/**
 * Reduce* nodes get non-negative axes (attribute, or the axes input of ReduceSum from opset 13) and an explicit
 * {@code keepdims} attribute (the spec default is 1).
 */
public final class ReduceAxesExplicit implements RewriteRule {
    private static final Set<String> REDUCE = Set.of("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
            "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare");

    @Override public String name() { return "reduce-axes-explicit"; }

    @Override public String reason() { return "negative reduction axes give wrong numbers and a missing keepdims is read as 0"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!REDUCE.contains(n.getOpType())) continue;
            int rank = Shapes.of(g, n.getInput(0), this).length;
            NodeAttributes at = new NodeAttributes(n);
            Onnx.NodeProto.Builder b = n.toBuilder();
            long[] axes = at.getInts("axes", null);
            boolean axesInput = n.getInputCount() > 1 && !n.getInput(1).isEmpty();
            if (axesInput) {
                HostTensor v = g.initializerValue(n.getInput(1));
                if (v == null) throw new IllegalStateException(NodeAttributes.describe(n) + ": reduction axes must be constant");
                axes = v.longValues();
            }
            if (axes == null) {
                axes = new long[rank];
                for (int k = 0; k < rank; k++) axes[k] = k;
            }
            long[] pos = Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
            b.clearAttribute();
            for (Onnx.AttributeProto a : n.getAttributeList()) if (!a.getName().equals("axes") && !a.getName().equals("keepdims")) b.addAttribute(a);
            b.addAttribute(MutableGraph.intAttr("keepdims", at.getInt("keepdims", 1)));
            if (axesInput) {
                b.setInput(1, g.constant(n.getName() + "_axes", HostTensor.longs(pos)));
            } else {
                b.addAttribute(MutableGraph.intsAttr("axes", pos));
            }
            g.nodes.set(i, b.build());
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }
}
