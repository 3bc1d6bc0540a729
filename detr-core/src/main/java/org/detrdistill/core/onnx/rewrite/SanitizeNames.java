package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;

import java.util.HashMap;
import java.util.Map;

/**
 * Renames tensors and nodes whose names contain characters SameDiff rejects ({@code :} in torch's
 * {@code onnx::MatMul_12}) by replacing them with {@code _} (made unique if needed). Graph input and output names
 * are renamed too if they contain such characters; {@link #renamed} tells the caller.
 */
public final class SanitizeNames implements RewriteRule {
    private final Map<String, String> renamed = new HashMap<>();

    @Override public String name() { return "sanitize-names"; }

    @Override public String reason() { return "names containing ':' (torch's onnx::MatMul_12) fail with 'No variable name found'"; }

    /** Old name to new name of every renamed tensor. */
    public Map<String, String> renamed() { return Map.copyOf(renamed); }

    private String fix(MutableGraph g, String name) {
        if (name.isEmpty() || name.indexOf(':') < 0) return name;
        return renamed.computeIfAbsent(name, k -> {
            String base = k.replace(':', '_');
            String n = base;
            if (g.isUsed(n)) n = g.freshName(base);
            g.reserve(n);
            return n;
        });
    }

    @Override
    public int apply(MutableGraph g) {
        int before = renamed.size();
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            Onnx.NodeProto.Builder b = n.toBuilder().clearInput().clearOutput();
            for (String in : n.getInputList()) b.addInput(fix(g, in));
            for (String out : n.getOutputList()) b.addOutput(fix(g, out));
            if (n.getName().indexOf(':') >= 0) b.setName(n.getName().replace(':', '_'));
            g.nodes.set(i, b.build());
        }
        Map<String, Onnx.TensorProto> inits = new java.util.LinkedHashMap<>();
        for (Onnx.TensorProto t : g.initializers.values()) {
            String n = fix(g, t.getName());
            inits.put(n, t.toBuilder().setName(n).build());
            move(g, t.getName(), n);
        }
        g.initializers.clear();
        g.initializers.putAll(inits);
        g.inputs.replaceAll(v -> v.toBuilder().setName(fix(g, v.getName())).build());
        g.outputs.replaceAll(v -> v.toBuilder().setName(fix(g, v.getName())).build());
        for (Map.Entry<String, String> e : renamed.entrySet()) move(g, e.getKey(), e.getValue());
        return renamed.size() - before;
    }

    private static void move(MutableGraph g, String from, String to) {
        if (from.equals(to)) return;
        if (g.shapes.containsKey(from)) g.shapes.put(to, g.shapes.remove(from));
        if (g.types.containsKey(from)) g.types.put(to, g.types.remove(from));
    }
}
