package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.NodeAttributes;

import java.util.ArrayList;
import java.util.List;

/**
 * Layout ops on computed tensors → {@code Reshape} and {@code Slice} with constant arguments, using the static shapes:
 * {@code Split} → one Slice per output; {@code Squeeze}, {@code Unsqueeze}, {@code Flatten} → Reshape;
 * {@code Gather} with a constant scalar index → Slice + Reshape; {@code Reshape} whose target has 0 ("copy this
 * dimension") or -1 entries → Reshape to the explicit static shape.
 */
public final class LayoutOpsToReshapeSlice implements RewriteRule {
    @Override public String name() { return "layout-ops-to-reshape-slice"; }

    @Override public String reason() {
        return "Split fails ('Could not determine number of output variables'), Reshape reads a 0 in the target as a literal 0 "
                + "(op validation failure), and Squeeze/Unsqueeze axes inputs (opset 13) are unreliable";
    }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            String op = n.getOpType();
            List<Onnx.NodeProto> out = new ArrayList<>();
            String x = n.getInputCount() > 0 ? n.getInput(0) : "";
            switch (op) {
                case "Split" -> {
                    int axis = axis(new NodeAttributes(n).getInt("axis", 0), Shapes.of(g, x, this).length);
                    long start = 0;
                    for (String o : n.getOutputList()) {
                        long len = Shapes.of(g, o, this)[axis];
                        out.add(slice(g, n, x, o, axis, start, start + len));
                        start += len;
                    }
                }
                case "Squeeze", "Unsqueeze", "Flatten" -> out.add(reshape(g, n, x, n.getOutput(0)));
                case "Reshape" -> {
                    HostTensor target = g.initializerValue(n.getInput(1));
                    if (target != null && java.util.Arrays.stream(target.longValues()).allMatch(d -> d > 0)) continue;
                    out.add(reshape(g, n, x, n.getOutput(0)));
                }
                case "Gather" -> {
                    HostTensor idx = g.initializerValue(n.getInput(1));
                    if (idx == null || idx.rank() != 0) continue;
                    long[] xs = Shapes.of(g, x, this);
                    int axis = axis(new NodeAttributes(n).getInt("axis", 0), xs.length);
                    long k = idx.getLong(0) < 0 ? idx.getLong(0) + xs[axis] : idx.getLong(0);
                    String sliced = g.freshName(n.getName() + "_slice");
                    long[] ss = xs.clone();
                    ss[axis] = 1;
                    g.shapes.put(sliced, ss);
                    g.types.put(sliced, g.types.get(x));
                    out.add(slice(g, n, x, sliced, axis, k, k + 1));
                    out.add(reshape(g, n, sliced, n.getOutput(0)));
                }
                default -> { continue; }
            }
            i += g.replace(i, out) - 1;
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }

    private static int axis(long a, int rank) { return (int) (a < 0 ? a + rank : a); }

    private Onnx.NodeProto slice(MutableGraph g, Onnx.NodeProto n, String x, String out, int axis, long start, long end) {
        String base = n.getName();
        List<String> in = List.of(x, g.constant(base + "_starts", HostTensor.longs(start)),
                g.constant(base + "_ends", HostTensor.longs(end)), g.constant(base + "_axes", HostTensor.longs(axis)),
                g.constant(base + "_steps", HostTensor.longs(1)));
        return g.node("Slice", base + "_Slice", in, List.of(out)).build();
    }

    private Onnx.NodeProto reshape(MutableGraph g, Onnx.NodeProto n, String x, String out) {
        String shape = g.constant(n.getName() + "_shape", HostTensor.longs(Shapes.of(g, out, this)));
        return g.node("Reshape", n.getName() + "_Reshape", List.of(x, shape), List.of(out)).build();
    }
}
