package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.OpKernels;

import java.util.List;

/** Turns every {@code Constant} node into an initializer of the same name. */
public final class ConstantsToInitializers implements RewriteRule {
    @Override public String name() { return "constants-to-initializers"; }

    @Override public String reason() { return "Constant nodes are not resolved by the importer (JVM crash, SIGFPE, on nn.MultiheadAttention)"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = g.nodes.size() - 1; i >= 0; i--) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("Constant")) continue;
            g.addInitializer(n.getOutput(0), OpKernels.run(n, List.of(), g.opset()).get(0));
            g.nodes.remove(i);
            changed++;
        }
        return changed;
    }
}
