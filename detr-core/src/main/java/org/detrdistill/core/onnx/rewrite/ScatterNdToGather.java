package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.NodeAttributes;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code ScatterND(data, indices, updates)} with constant indices (torch's in-place slice assignment, e.g.
 * {@code tmp[..., :2] += ref}) → {@code Gather(Concat(flat(data), flat(updates)), map)} reshaped to data's shape,
 * where the constant {@code map} picks, for every output element, the data element or the update written to it.
 */
public final class ScatterNdToGather implements RewriteRule {
    @Override public String name() { return "scatternd-to-gather"; }

    @Override public String reason() { return "ScatterND maps to scatter_nd, which builds a new zero tensor instead of updating data"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("ScatterND")) continue;
            HostTensor idx = g.initializerValue(n.getInput(1));
            if (idx == null) throw new IllegalStateException(NodeAttributes.describe(n) + ": only constant indices are supported");
            String data = n.getInput(0), upd = n.getInput(2), base = n.getName();
            long[] ds = Shapes.of(g, data, this), us = Shapes.of(g, upd, this);
            HostTensor.Type type = g.types.getOrDefault(data, HostTensor.Type.FLOAT);
            long nd = Shapes.count(ds), nu = Shapes.count(us);
            int k = (int) idx.dim(idx.rank() - 1);
            long slice = 1;
            for (int a = k; a < ds.length; a++) slice *= ds[a];
            double[] map = new double[(int) nd];
            for (int j = 0; j < nd; j++) map[j] = j;
            long[] st = HostTensor.strides(ds);
            int updates = idx.size() / k;
            for (int u = 0; u < updates; u++) {
                long off = 0;
                for (int j = 0; j < k; j++) {
                    long v = idx.getLong(u * k + j);
                    off += (v < 0 ? v + ds[j] : v) * st[j];
                }
                for (int j = 0; j < slice; j++) map[(int) (off + j)] = nd + u * slice + j;
            }
            List<Onnx.NodeProto> out = new ArrayList<>();
            String flatD = g.emit(out, "Reshape", base + "_data", new long[]{nd}, type, List.of(data, g.constant(base + "_nd", HostTensor.longs(nd))));
            String flatU = g.emit(out, "Reshape", base + "_upd", new long[]{nu}, type, List.of(upd, g.constant(base + "_nu", HostTensor.longs(nu))));
            String both = g.emit(out, "Concat", base + "_both", new long[]{nd + nu}, type, List.of(flatD, flatU), MutableGraph.intAttr("axis", 0));
            String mapT = g.constant(base + "_map", new HostTensor(HostTensor.Type.INT64, new long[]{nd}, map));
            String picked = g.emit(out, "Gather", base + "_pick", new long[]{nd}, type, List.of(both, mapT), MutableGraph.intAttr("axis", 0));
            out.add(g.node("Reshape", base + "_out", List.of(picked, g.constant(base + "_shape", HostTensor.longs(ds))), List.of(n.getOutput(0))).build());
            i += g.replace(i, out) - 1;
            changed++;
        }
        if (changed > 0) g.dropUnusedInitializers();
        return changed;
    }
}
