package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.NodeAttributes;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code LayerNormalization} (opset 17) and {@code InstanceNormalization} (GroupNorm exports) → ReduceMean, Sub, Mul,
 * ReduceMean, Add(eps), Sqrt, Div, Mul(scale), Add(bias), the form torch exports LayerNorm in at opset 13.
 * LayerNormalization normalises over the axes from {@code axis} on; InstanceNormalization over the axes after the
 * channel axis, with per-channel scale and bias.
 */
public final class NormalizationDecompose implements RewriteRule {
    @Override public String name() { return "normalization-decompose"; }

    @Override public String reason() { return "the importer has no mapping for LayerNormalization or InstanceNormalization"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            boolean ln = n.getOpType().equals("LayerNormalization"), in = n.getOpType().equals("InstanceNormalization");
            if (!ln && !in) continue;
            for (int k = 1; k < n.getOutputCount(); k++) {
                if (!n.getOutput(k).isEmpty() && g.useCounts().containsKey(n.getOutput(k))) {
                    throw new IllegalStateException(NodeAttributes.describe(n) + ": its Mean/InvStdDev outputs are used; not supported");
                }
            }
            NodeAttributes at = new NodeAttributes(n);
            String x = n.getInput(0), base = n.getName();
            long[] s = Shapes.of(g, x, this);
            int r = s.length;
            HostTensor.Type type = g.types.getOrDefault(x, HostTensor.Type.FLOAT);
            int first = ln ? (int) (at.getInt("axis", -1) < 0 ? at.getInt("axis", -1) + r : at.getInt("axis", -1)) : 2;
            long[] axes = new long[r - first];
            for (int k = first; k < r; k++) axes[k - first] = k;
            long[] red = s.clone();
            for (int k = first; k < r; k++) red[k] = 1;
            List<Onnx.NodeProto> out = new ArrayList<>();
            Onnx.AttributeProto ax = MutableGraph.intsAttr("axes", axes), keep = MutableGraph.intAttr("keepdims", 1);
            String mean = g.emit(out, "ReduceMean", base + "_mean", red, type, List.of(x), ax, keep);
            String d = g.emit(out, "Sub", base + "_centred", s, type, List.of(x, mean));
            String sq = g.emit(out, "Mul", base + "_sq", s, type, List.of(d, d));
            String var = g.emit(out, "ReduceMean", base + "_var", red, type, List.of(sq), ax, keep);
            String eps = g.constant(base + "_eps", HostTensor.scalar(type, at.getFloat("epsilon", 1e-5f)));
            String ve = g.emit(out, "Add", base + "_var_eps", red, type, List.of(var, eps));
            String sd = g.emit(out, "Sqrt", base + "_std", red, type, List.of(ve));
            String norm = g.emit(out, "Div", base + "_norm", s, type, List.of(d, sd));
            String scale = n.getInput(1);
            String bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? n.getInput(2) : null;
            if (in) {
                scale = perChannel(g, out, scale, r, base + "_scale");
                bias = perChannel(g, out, bias, r, base + "_bias");
            }
            if (bias == null) {
                out.add(g.node("Mul", base + "_scaled", List.of(norm, scale), List.of(n.getOutput(0))).build());
            } else {
                String scaled = g.emit(out, "Mul", base + "_scaled", s, type, List.of(norm, scale));
                out.add(g.node("Add", base + "_shifted", List.of(scaled, bias), List.of(n.getOutput(0))).build());
            }
            i += g.replace(i, out) - 1;
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }

    /** A [C] tensor as [C, 1, ..., 1] (rank - 1 axes) so it broadcasts over [N, C, ...]. */
    private String perChannel(MutableGraph g, List<Onnx.NodeProto> out, String v, int rank, String base) {
        long c = Shapes.of(g, v, this)[0];
        long[] shape = new long[rank - 1];
        java.util.Arrays.fill(shape, 1);
        shape[0] = c;
        HostTensor value = g.initializerValue(v);
        if (value != null) return g.constant(base, value.reshape(shape));
        String target = g.constant(base + "_shape", HostTensor.longs(shape));
        return g.emit(out, "Reshape", base, shape, g.types.get(v), List.of(v, target));
    }
}
