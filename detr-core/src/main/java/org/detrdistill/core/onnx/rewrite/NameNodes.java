package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;

import java.util.HashSet;
import java.util.Set;

/** Gives every node a unique, non-empty name. */
public final class NameNodes implements RewriteRule {
    @Override public String name() { return "name-nodes"; }

    @Override public String reason() { return "unnamed (or equally named) nodes lose their outputs in the importer"; }

    @Override
    public int apply(MutableGraph g) {
        Set<String> seen = new HashSet<>();
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (n.getName().isEmpty() || !seen.add(n.getName())) {
                String name = g.freshName(n.getOpType());
                g.nodes.set(i, n.toBuilder().setName(name).build());
                seen.add(name);
                changed++;
            }
        }
        return changed;
    }
}
