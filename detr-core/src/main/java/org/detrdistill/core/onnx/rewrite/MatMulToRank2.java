package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code MatMul(A [..., K], B [K, N])} with rank(A) &gt; 2 → {@code Reshape(A, [-1, K]) → MatMul → Reshape([..., N])}
 * (every nn.Linear on a sequence). Also broadcasts a batched MatMul whose operands differ in rank or in batch sizes
 * of 1 to equal shapes with {@code Expand}, since the importer only handles equal-rank batched products.
 */
public final class MatMulToRank2 implements RewriteRule {
    @Override public String name() { return "matmul-rank3-to-rank2"; }

    @Override public String reason() { return "rank-3 x rank-2 MatMul (nn.Linear on a sequence) fails with a rank error"; }

    @Override
    public int apply(MutableGraph g) {
        int changed = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Onnx.NodeProto n = g.nodes.get(i);
            if (!n.getOpType().equals("MatMul")) continue;
            long[] sa = Shapes.of(g, n.getInput(0), this), sb = Shapes.of(g, n.getInput(1), this);
            HostTensor.Type type = g.types.getOrDefault(n.getInput(0), HostTensor.Type.FLOAT);
            List<Onnx.NodeProto> out = new ArrayList<>();
            if (sa.length > 2 && sb.length == 2) {
                long k = sa[sa.length - 1], nn = sb[1];
                long[] flat = {Shapes.count(sa) / k, k};
                String shape2 = g.constant(n.getName() + "_shape2", HostTensor.longs(flat));
                String a2 = g.emit(out, "Reshape", n.getName() + "_flat", flat, type, List.of(n.getInput(0), shape2));
                String y2 = g.emit(out, "MatMul", n.getName() + "_2d", new long[]{flat[0], nn}, type, List.of(a2, n.getInput(1)));
                long[] ys = Arrays.copyOf(sa, sa.length);
                ys[ys.length - 1] = nn;
                String shapeY = g.constant(n.getName() + "_shapeY", HostTensor.longs(ys));
                out.add(g.node("Reshape", n.getName() + "_unflat", List.of(y2, shapeY), List.of(n.getOutput(0))).build());
            } else if (sa.length >= 2 && sb.length >= 2 && (sa.length != sb.length || !sameBatch(sa, sb))) {
                long[] batch = broadcastBatch(sa, sb);
                String a = expand(g, out, n.getInput(0), sa, batch, type, n.getName() + "_A");
                String b = expand(g, out, n.getInput(1), sb, batch, type, n.getName() + "_B");
                out.add(g.node("MatMul", n.getName() + "_bcast", List.of(a, b), List.of(n.getOutput(0))).build());
            } else {
                continue;
            }
            i += g.replace(i, out) - 1;
            changed++;
        }
        return changed;
    }

    private static boolean sameBatch(long[] a, long[] b) {
        for (int i = 0; i < a.length - 2; i++) if (a[i] != b[i]) return false;
        return true;
    }

    private static long[] broadcastBatch(long[] a, long[] b) {
        int r = Math.max(a.length, b.length) - 2;
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            int ia = i - (r - (a.length - 2)), ib = i - (r - (b.length - 2));
            long da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
            out[i] = Math.max(da, db);
        }
        return out;
    }

    private static String expand(MutableGraph g, List<Onnx.NodeProto> out, String x, long[] s, long[] batch,
                                 HostTensor.Type type, String base) {
        long[] target = Arrays.copyOf(batch, batch.length + 2);
        target[batch.length] = s[s.length - 2];
        target[batch.length + 1] = s[s.length - 1];
        if (Arrays.equals(target, s)) return x;
        String zeros = g.constant(base + "_zeros", new HostTensor(type, target, new double[(int) Shapes.count(target)]));
        return g.emit(out, "Add", base + "_bcast", target, type, List.of(x, zeros));
    }
}
