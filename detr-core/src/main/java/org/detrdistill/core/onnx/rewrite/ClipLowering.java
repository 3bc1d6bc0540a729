package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.NodeAttributes;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code Clip(x, lo, hi)} (either bound optional, as inputs from opset 11 or attributes before) →
 * {@code y = Relu(x − lo) + lo}, {@code z = hi − Relu(hi − y)}, skipping an absent bound. Equal to clipping up to one
 * float32 rounding of the subtraction; torch's {@code inverse_sigmoid} clamps reference points this way.
 */
public final class ClipLowering implements RewriteRule {
    @Override public String name() { return "clip-lowering"; }

    @Override public String reason() {
        return "a Clip with an absent bound (empty input name, e.g. clamp(min=eps)) imports with an unnamed input and fails at run time";
    }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("Clip")) continue;
            String x = n.getInput(0), base = n.getName();
            long[] s = Shapes.of(g, x, this);
            HostTensor.Type type = g.types.getOrDefault(x, HostTensor.Type.FLOAT);
            String lo = bound(g, n, 1, "min", type), hi = bound(g, n, 2, "max", type);
            List<Onnx.NodeProto> out = new ArrayList<>();
            String y = x;
            if (lo != null) {
                String d = g.emit(out, "Sub", base + "_lo_d", s, type, List.of(x, lo));
                String r = g.emit(out, "Relu", base + "_lo_r", s, type, List.of(d));
                y = hi == null ? null : g.emit(out, "Add", base + "_lo", s, type, List.of(r, lo));
                if (hi == null) out.add(g.node("Add", base + "_lo", List.of(r, lo), List.of(n.getOutput(0))).build());
            }
            if (hi != null) {
                String d = g.emit(out, "Sub", base + "_hi_d", s, type, List.of(hi, y));
                String r = g.emit(out, "Relu", base + "_hi_r", s, type, List.of(d));
                out.add(g.node("Sub", base + "_hi", List.of(hi, r), List.of(n.getOutput(0))).build());
            }
            if (lo == null && hi == null) out.add(g.node("Identity", base + "_id", List.of(x), List.of(n.getOutput(0))).build());
            i += g.replace(i, out) - 1;
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }

    /** The bound as a tensor name (an input, or a new constant from an attribute before opset 11), or null if absent. */
    private static String bound(MutableGraph g, Onnx.NodeProto n, int input, String attr, HostTensor.Type type) {
        if (g.opset() < 11) {
            NodeAttributes at = new NodeAttributes(n);
            return at.has(attr) ? g.constant(n.getName() + "_" + attr, HostTensor.scalar(type, at.getFloat(attr, 0))) : null;
        }
        return n.getInputCount() > input && !n.getInput(input).isEmpty() ? n.getInput(input) : null;
    }
}
