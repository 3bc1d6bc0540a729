package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;

import java.util.List;

/** {@code Pow(x, 2)} → {@code Mul(x, x)}, {@code Pow(x, 0.5)} → {@code Sqrt(x)}, {@code Pow(x, 1)} → {@code Identity(x)}. */
public final class PowToMul implements RewriteRule {
    @Override public String name() { return "pow-to-mul"; }

    @Override public String reason() { return "Pow is imported as pow_pairwise and fails with IndexOutOfBoundsException"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("Pow")) continue;
            HostTensor e = g.initializerValue(n.getInput(1));
            if (e == null || e.size() != 1) continue;
            double p = e.get(0);
            String x = n.getInput(0);
            Onnx.NodeProto.Builder b;
            if (p == 2) b = g.node("Mul", n.getName() + "_sq", List.of(x, x), List.of(n.getOutput(0)));
            else if (p == 0.5) b = g.node("Sqrt", n.getName() + "_sqrt", List.of(x), List.of(n.getOutput(0)));
            else if (p == 1) b = g.node("Identity", n.getName() + "_id", List.of(x), List.of(n.getOutput(0)));
            else continue;
            g.nodes.set(i, b.build());
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }
}
