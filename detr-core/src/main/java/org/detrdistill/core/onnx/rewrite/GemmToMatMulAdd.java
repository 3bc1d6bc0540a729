package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.NodeAttributes;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code Gemm(A, B, C)} → {@code [Transpose] → MatMul → [Mul alpha] → Add(beta·C)}. A transposed weight
 * initializer ({@code transB=1}, nn.Linear) is transposed once here instead of by a node.
 */
public final class GemmToMatMulAdd implements RewriteRule {
    @Override public String name() { return "gemm-to-matmul-add"; }

    @Override public String reason() { return "the importer maps Gemm to matmul and drops its bias C"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("Gemm")) continue;
            NodeAttributes at = new NodeAttributes(n);
            float alpha = at.getFloat("alpha", 1), beta = at.getFloat("beta", 1);
            List<Onnx.NodeProto> out = new ArrayList<>();
            String a = operand(g, out, n.getInput(0), at.getInt("transA", 0) == 1, n.getName() + "_A");
            String b = operand(g, out, n.getInput(1), at.getInt("transB", 0) == 1, n.getName() + "_B");
            long[] sa = Shapes.of(g, a, this), sb = Shapes.of(g, b, this);
            long[] sy = {sa[0], sb[1]};
            HostTensor.Type type = g.types.getOrDefault(n.getInput(0), HostTensor.Type.FLOAT);
            boolean hasC = n.getInputCount() > 2 && !n.getInput(2).isEmpty() && beta != 0;
            String y = alpha == 1 && !hasC ? n.getOutput(0) : g.freshName(n.getName() + "_mm");
            out.add(g.node("MatMul", n.getName() + "_MatMul", List.of(a, b), List.of(y)).build());
            g.shapes.put(y, sy);
            g.types.put(y, type);
            if (alpha != 1) {
                String alphaT = g.constant(n.getName() + "_alpha", HostTensor.scalar(type, alpha));
                String scaled = hasC ? g.freshName(n.getName() + "_scaled") : n.getOutput(0);
                out.add(g.node("Mul", n.getName() + "_Mul", List.of(y, alphaT), List.of(scaled)).build());
                g.shapes.put(scaled, sy);
                y = scaled;
            }
            if (hasC) {
                String c = n.getInput(2);
                HostTensor cv = g.initializerValue(c);
                if (beta != 1) {
                    if (cv != null) {
                        double[] d = cv.values();
                        for (int k = 0; k < d.length; k++) d[k] *= beta;
                        c = g.constant(n.getName() + "_betaC", new HostTensor(cv.type(), cv.shape(), d));
                    } else {
                        String betaT = g.constant(n.getName() + "_beta", HostTensor.scalar(type, beta));
                        c = g.emit(out, "Mul", n.getName() + "_betaC", Shapes.of(g, c, this), type, List.of(c, betaT));
                    }
                }
                out.add(g.node("Add", n.getName() + "_Add", List.of(y, c), List.of(n.getOutput(0))).build());
            }
            i += g.replace(i, out) - 1;
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }

    private String operand(MutableGraph g, List<Onnx.NodeProto> out, String name, boolean transpose, String base) {
        if (!transpose) return name;
        long[] s = Shapes.of(g, name, this);
        long[] t = {s[1], s[0]};
        HostTensor v = g.initializerValue(name);
        if (v != null) {
            double[] d = new double[v.size()];
            for (int r = 0; r < s[0]; r++) for (int c = 0; c < s[1]; c++) d[(int) (c * s[0] + r)] = v.get((int) (r * s[1] + c));
            return g.constant(base + "_T", new HostTensor(v.type(), t, d));
        }
        return g.emit(out, "Transpose", base, t, g.types.get(name), List.of(name), MutableGraph.intsAttr("perm", 1, 0));
    }
}
