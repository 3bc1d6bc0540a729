package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.NodeAttributes;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code GridSample(X [N,C,H,W], grid [N,Ho,Wo,2])}, bilinear with zero padding, → separable "tent" weights and one
 * batched MatMul:
 * <pre>
 *   px = pixel x of the grid (align_corners 0: ((gx + 1)·W − 1)/2; 1: (gx + 1)/2·(W − 1)), py likewise
 *   Wx[n, j, p] = relu(1 − |px[n,p] − j|)   (j = 0..W−1),   Wy[n, i, p] = relu(1 − |py[n,p] − i|)
 *   out[n, c, p] = Σ_i Wy[n, i, p] · (X[n, c, i, :] · Wx[n, :, p])
 * </pre>
 * Exactly bilinear interpolation: the two neighbours of a sample get weights 1 − f and f, every other pixel 0, and
 * neighbours outside the map are absent from the sum (padding zeros). Uses Slice, Reshape, Mul, Add, Sub, Abs, Relu,
 * MatMul and ReduceSum only; differentiable in X and grid.
 */
public final class GridSampleLowering implements RewriteRule {
    @Override public String name() { return "gridsample-lowering"; }

    @Override public String reason() { return "the importer has no mapping for GridSample (Deformable DETR's bilinear sampling)"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("GridSample")) continue;
            NodeAttributes at = new NodeAttributes(n);
            if (!at.getString("mode", "bilinear").equals("bilinear") || !at.getString("padding_mode", "zeros").equals("zeros")) {
                throw new IllegalStateException(NodeAttributes.describe(n) + ": only bilinear sampling with zero padding is supported");
            }
            boolean alignCorners = at.getInt("align_corners", 0) == 1;
            String x = n.getInput(0), grid = n.getInput(1), base = n.getName();
            long[] xs = Shapes.of(g, x, this), gs = Shapes.of(g, grid, this);
            long nn = xs[0], c = xs[1], h = xs[2], w = xs[3], p = gs[1] * gs[2];
            HostTensor.Type type = g.types.getOrDefault(x, HostTensor.Type.FLOAT);
            List<Onnx.NodeProto> out = new ArrayList<>();
            String flatGrid = g.emit(out, "Reshape", base + "_grid", new long[]{nn, p, 2}, type,
                    List.of(grid, g.constant(base + "_gshape", HostTensor.longs(nn, p, 2))));
            String wx = tent(g, out, flatGrid, 0, w, nn, p, alignCorners, type, base + "_wx");   // [N, W, P]
            String wy = tent(g, out, flatGrid, 1, h, nn, p, alignCorners, type, base + "_wy");   // [N, H, P]
            String x3 = g.emit(out, "Reshape", base + "_x", new long[]{nn, c * h, w}, type,
                    List.of(x, g.constant(base + "_xshape", HostTensor.longs(nn, c * h, w))));
            String rows = g.emit(out, "MatMul", base + "_rows", new long[]{nn, c * h, p}, type, List.of(x3, wx));
            String rows4 = g.emit(out, "Reshape", base + "_rows4", new long[]{nn, c, h, p}, type,
                    List.of(rows, g.constant(base + "_r4shape", HostTensor.longs(nn, c, h, p))));
            String wy4 = g.emit(out, "Reshape", base + "_wy4", new long[]{nn, 1, h, p}, type,
                    List.of(wy, g.constant(base + "_wy4shape", HostTensor.longs(nn, 1, h, p))));
            String prod = g.emit(out, "Mul", base + "_weighted", new long[]{nn, c, h, p}, type, List.of(rows4, wy4));
            String sum = g.emit(out, "ReduceSum", base + "_sum", new long[]{nn, c, p}, type,
                    List.of(prod, g.constant(base + "_axes", HostTensor.longs(2))), MutableGraph.intAttr("keepdims", 0));
            out.add(g.node("Reshape", base + "_out", List.of(sum, g.constant(base + "_oshape", HostTensor.longs(nn, c, gs[1], gs[2]))),
                    List.of(n.getOutput(0))).build());
            i += g.replace(i, out) - 1;
            changed++;
        }
        return changed;
    }

    /** relu(1 − |pix − k|) for k = 0..size−1: [N, size, P] from coordinate {@code comp} of the [N, P, 2] grid. */
    private String tent(MutableGraph g, List<Onnx.NodeProto> out, String grid, int comp, long size, long nn, long p,
                        boolean alignCorners, HostTensor.Type type, String base) {
        String coord = g.emit(out, "Slice", base + "_coord", new long[]{nn, p, 1}, type, List.of(grid,
                g.constant(base + "_s", HostTensor.longs(comp)), g.constant(base + "_e", HostTensor.longs(comp + 1)),
                g.constant(base + "_a", HostTensor.longs(2)), g.constant(base + "_st", HostTensor.longs(1))));
        String row = g.emit(out, "Reshape", base + "_row", new long[]{nn, 1, p}, type,
                List.of(coord, g.constant(base + "_rshape", HostTensor.longs(nn, 1, p))));
        // pixel = g·a + b with a = size/2, b = (size−1)/2 (align_corners 0) or a = b = (size−1)/2 (align_corners 1)
        double a = alignCorners ? (size - 1) / 2.0 : size / 2.0, b = (size - 1) / 2.0;
        String scaled = g.emit(out, "Mul", base + "_scaled", new long[]{nn, 1, p}, type, List.of(row, g.constant(base + "_a", HostTensor.scalar(type, a))));
        String pix = g.emit(out, "Add", base + "_pix", new long[]{nn, 1, p}, type, List.of(scaled, g.constant(base + "_b", HostTensor.scalar(type, b))));
        double[] k = new double[(int) size];
        for (int j = 0; j < size; j++) k[j] = j;
        String grid1 = g.constant(base + "_k", new HostTensor(type, new long[]{1, size, 1}, k));
        String d = g.emit(out, "Sub", base + "_d", new long[]{nn, size, p}, type, List.of(pix, grid1));
        String ad = g.emit(out, "Abs", base + "_abs", new long[]{nn, size, p}, type, List.of(d));
        String one = g.constant(base + "_one", HostTensor.scalar(type, 1));
        String lin = g.emit(out, "Sub", base + "_lin", new long[]{nn, size, p}, type, List.of(one, ad));
        return g.emit(out, "Relu", base + "_tent", new long[]{nn, size, p}, type, List.of(lin));
    }
}
