package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;

import java.util.HashSet;
import java.util.Set;

/** Removes {@code Identity} nodes whose output is not a graph output, rewiring their readers to the input. */
public final class DropIdentity implements RewriteRule {
    @Override public String name() { return "drop-identity"; }

    @Override public String reason() { return "fewer ops to dispatch; Identity of a graph input or constant imports as a detached copy"; }

    @Override
    public int apply(MutableGraph g) {
        Set<String> outputs = new HashSet<>(g.outputNames());
        int changed = 0;
        for (int i = g.nodes.size() - 1; i >= 0; i--) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("Identity") || outputs.contains(n.getOutput(0))) continue;
            g.rewire(n.getOutput(0), n.getInput(0));
            g.nodes.remove(i);
            changed++;
        }
        return changed;
    }
}
