package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code Where(cond, x, y)} with a constant condition (attention masks of a fixed-size export) →
 * {@code Identity} when the condition is uniform, else {@code x·m + y·(1−m)} with the float mask {@code m}; a constant
 * branch is pre-masked (so −inf fill values never meet a zero weight).
 */
public final class WhereStaticCondition implements RewriteRule {
    @Override public String name() { return "where-static-condition"; }

    @Override public String reason() { return "the importer's Where mapping has no gradient and mis-broadcasts; the mask is constant anyway"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("Where")) continue;
            HostTensor c = g.initializerValue(n.getInput(0));
            if (c == null) continue;
            String x = n.getInput(1), y = n.getInput(2), out = n.getOutput(0), base = n.getName();
            long[] os = g.shapes.get(out);
            HostTensor.Type type = g.types.getOrDefault(x, HostTensor.Type.FLOAT);
            boolean allTrue = true, allFalse = true;
            for (int k = 0; k < c.size(); k++) { allTrue &= c.get(k) != 0; allFalse &= c.get(k) == 0; }
            String pick = allTrue ? x : allFalse ? y : null;
            List<Onnx.NodeProto> nodes = new ArrayList<>();
            if (pick != null && os != null && java.util.Arrays.equals(os, Shapes.of(g, pick, this))) {
                nodes.add(g.node("Identity", base + "_pick", List.of(pick), List.of(out)).build());
            } else {
                HostTensor m = c.cast(type);
                HostTensor notM = new HostTensor(type, c.shape(), java.util.Arrays.stream(m.values()).map(v -> 1 - v).toArray());
                String xs = masked(g, nodes, x, m, base + "_x", type);
                String ys = masked(g, nodes, y, notM, base + "_y", type);
                nodes.add(g.node("Add", base + "_sum", List.of(xs, ys), List.of(out)).build());
            }
            i += g.replace(i, nodes) - 1;
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }

    private String masked(MutableGraph g, List<Onnx.NodeProto> nodes, String v, HostTensor m, String base, HostTensor.Type type) {
        HostTensor value = g.initializerValue(v);
        if (value != null) {
            HostTensor pre = org.detrdistill.core.onnx.eval.OpKernels.run(
                    Onnx.NodeProto.newBuilder().setOpType("Where").setName(base).build(),
                    List.of(m.cast(HostTensor.Type.BOOL), value, HostTensor.scalar(value.type(), 0)), g.opset()).get(0);
            return g.constant(base, pre);
        }
        long[] s = ElementwiseShape.broadcast(Shapes.of(g, v, this), m.shape());
        return g.emit(nodes, "Mul", base, s, type, List.of(v, g.constant(base + "_mask", m)));
    }
}
