package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.NodeAttributes;

/**
 * Declares opset 13 for a rewritten graph of opset 14–17. Runs after the opset-specific ops are gone
 * (LayerNormalization, GridSample); of the ops left, only Reshape changed between 13 and 17 (the {@code allowzero}
 * attribute, which is dropped when 0 and rejected when 1). Must see every rewrite before it: it only changes the
 * declared version, which {@link MutableGraph#toModel()} writes.
 */
public final class DeclareOpset13 implements RewriteRule {
    @Override public String name() { return "declare-opset-13"; }

    @Override public String reason() { return "at opset 14+ the importer's Reshape hook fails (NullPointerException on the shape list)"; }

    @Override
    public int apply(MutableGraph g) {
        if (g.opset() <= 13 || g.opset() > 17) return 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("Reshape")) continue;
            NodeAttributes at = new NodeAttributes(n);
            if (at.getInt("allowzero", 0) != 0) {
                throw new IllegalStateException(NodeAttributes.describe(n) + ": allowzero=1 is not supported");
            }
            if (at.has("allowzero")) {
                Onnx.NodeProto.Builder b = n.toBuilder().clearAttribute();
                for (Onnx.AttributeProto a : n.getAttributeList()) if (!a.getName().equals("allowzero")) b.addAttribute(a);
                g.nodes.set(i, b.build());
            }
        }
        g.declareOpset(13);
        return 1;
    }
}
