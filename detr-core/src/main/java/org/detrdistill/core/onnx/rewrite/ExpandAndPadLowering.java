package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.NodeAttributes;

import java.util.Arrays;
import java.util.List;

/**
 * {@code Expand(x, shape)} with a constant shape → {@code Identity} when nothing is expanded, else
 * {@code Add(x, zeros[out])}; {@code Pad} with constant all-zero pads → {@code Identity}; {@code Tile} with
 * constant repeats → {@code Add(x, zeros)} when every repeated axis has size 1.
 */
public final class ExpandAndPadLowering implements RewriteRule {
    @Override public String name() { return "expand-pad-lowering"; }

    @Override public String reason() { return "Expand and Pad on computed tensors import with wrong shapes (shape taken from the wrong input)"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            String op = n.getOpType();
            if (!op.equals("Expand") && !op.equals("Pad") && !op.equals("Tile")) continue;
            HostTensor arg = g.initializerValue(n.getInput(1));
            if (arg == null) continue;
            String x = n.getInput(0), out = n.getOutput(0);
            long[] xs = Shapes.of(g, x, this), os = Shapes.of(g, out, this);
            HostTensor.Type type = g.types.getOrDefault(x, HostTensor.Type.FLOAT);
            Onnx.NodeProto replacement;
            if (Arrays.equals(xs, os)) {
                replacement = g.node("Identity", n.getName() + "_id", List.of(x), List.of(out)).build();
            } else if (op.equals("Pad")) {
                throw new IllegalStateException(NodeAttributes.describe(n) + ": only all-zero pads are supported on computed tensors, pads "
                        + Arrays.toString(arg.longValues()));
            } else if (op.equals("Tile") && !broadcastable(xs, os)) {
                continue;
            } else {
                String zeros = g.constant(n.getName() + "_zeros", new HostTensor(type, os, new double[(int) Shapes.count(os)]));
                replacement = g.node("Add", n.getName() + "_bcast", List.of(x, zeros), List.of(out)).build();
            }
            g.nodes.set(i, replacement);
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }

    private static boolean broadcastable(long[] in, long[] out) {
        if (in.length != out.length) return false;
        for (int k = 0; k < in.length; k++) if (in[k] != out[k] && in[k] != 1) return false;
        return true;
    }
}
