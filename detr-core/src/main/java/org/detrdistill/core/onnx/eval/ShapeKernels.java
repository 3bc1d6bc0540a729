package org.detrdistill.core.onnx.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX kernels that move, select or generate values (Reshape, Transpose, Concat, Slice, Gather, Split, Squeeze,
 * Unsqueeze, Expand, Tile, Pad, ConstantOfShape, Range, CumSum, ScatterND, Flatten) on {@link HostTensor}s.
 */
final class ShapeKernels {
    private ShapeKernels() {}

    static int axis(long axis, int rank, String what) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException(what + ": axis " + axis + " out of range for rank " + rank);
        return (int) a;
    }

    /** Reshape with ONNX semantics: 0 copies the input dimension (unless allowzero), -1 is inferred. */
    static HostTensor reshape(HostTensor x, long[] target, boolean allowZero) {
        long[] s = target.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == 0 && !allowZero) s[i] = x.dim(i);
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("Reshape: two -1 in " + Arrays.toString(target));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) s[infer] = known == 0 ? 0 : x.size() / known;
        if (HostTensor.count(s) != x.size()) {
            throw new IllegalArgumentException("Reshape: cannot reshape " + Arrays.toString(x.shape()) + " to " + Arrays.toString(target));
        }
        return x.reshape(s);
    }

    static HostTensor transpose(HostTensor x, long[] perm) {
        int r = x.rank();
        if (perm == null) {
            perm = new long[r];
            for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
        }
        long[] in = x.shape(), st = HostTensor.strides(in);
        long[] out = new long[r], pst = new long[r];
        for (int i = 0; i < r; i++) { out[i] = in[(int) perm[i]]; pst[i] = st[(int) perm[i]]; }
        return gatherStrided(x, out, pst, 0);
    }

    /** Reads {@code x} at offset + sum(idx_i * strides_i) for every index of {@code outShape}. */
    static HostTensor gatherStrided(HostTensor x, long[] outShape, long[] strides, long offset) {
        int n = HostTensor.count(outShape), r = outShape.length;
        double[] src = x.raw(), out = new double[n];
        long[] idx = new long[r];
        long off = offset;
        for (int i = 0; i < n; i++) {
            out[i] = src[(int) off];
            for (int d = r - 1; d >= 0; d--) {
                idx[d]++;
                off += strides[d];
                if (idx[d] < outShape[d]) break;
                off -= strides[d] * idx[d];
                idx[d] = 0;
            }
        }
        return new HostTensor(x.type(), outShape, out);
    }

    static HostTensor concat(List<HostTensor> xs, long axisAttr) {
        HostTensor first = xs.get(0);
        int r = first.rank(), axis = axis(axisAttr, r, "Concat");
        long[] shape = first.shape();
        long total = 0;
        for (HostTensor t : xs) total += t.dim(axis);
        shape[axis] = total;
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < r; i++) inner *= shape[i];
        double[] out = new double[HostTensor.count(shape)];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (HostTensor t : xs) {
                int len = (int) (t.dim(axis) * inner);
                System.arraycopy(t.raw(), (int) (o * len), out, pos, len);
                pos += len;
            }
        }
        return new HostTensor(first.type(), shape, out);
    }

    /** Slice with starts/ends/axes/steps (ONNX clamping rules). */
    static HostTensor slice(HostTensor x, long[] starts, long[] ends, long[] axes, long[] steps) {
        int r = x.rank();
        long[] shape = x.shape(), st = HostTensor.strides(shape);
        long[] outShape = shape.clone(), outStrides = st.clone();
        long offset = 0;
        for (int k = 0; k < starts.length; k++) {
            int a = axis(axes == null ? k : axes[k], r, "Slice");
            long step = steps == null ? 1 : steps[k], dim = shape[a];
            if (step == 0) throw new IllegalArgumentException("Slice: step 0");
            long s = starts[k] < 0 ? starts[k] + dim : starts[k];
            long e = ends[k] < 0 ? ends[k] + dim : ends[k];
            if (ends[k] < -dim) e = -1; // only meaningful for negative steps
            long len;
            if (step > 0) {
                s = Math.max(0, Math.min(s, dim));
                e = Math.max(0, Math.min(e, dim));
                len = e > s ? (e - s + step - 1) / step : 0;
            } else {
                s = Math.max(-1, Math.min(s, dim - 1));
                e = Math.max(-1, Math.min(e, dim - 1));
                len = s > e ? (s - e + (-step) - 1) / (-step) : 0;
            }
            outShape[a] = len;
            outStrides[a] = st[a] * step;
            if (len > 0) offset += s * st[a];
        }
        return gatherStrided(x, outShape, outStrides, offset);
    }

    /** Gather along {@code axis} with an index tensor of any rank (negative indices count from the end). */
    static HostTensor gather(HostTensor x, HostTensor indices, long axisAttr) {
        int r = x.rank(), axis = axis(axisAttr, r, "Gather");
        long[] shape = x.shape();
        long outer = 1, inner = 1, dim = shape[axis];
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < r; i++) inner *= shape[i];
        long[] outShape = new long[r - 1 + indices.rank()];
        int p = 0;
        for (int i = 0; i < axis; i++) outShape[p++] = shape[i];
        for (long d : indices.shape()) outShape[p++] = d;
        for (int i = axis + 1; i < r; i++) outShape[p++] = shape[i];
        int m = indices.size();
        double[] out = new double[HostTensor.count(outShape)], src = x.raw();
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) {
                long idx = indices.getLong(j);
                if (idx < 0) idx += dim;
                if (idx < 0 || idx >= dim) throw new IllegalArgumentException("Gather: index " + indices.getLong(j) + " out of range " + dim);
                System.arraycopy(src, (int) ((o * dim + idx) * inner), out, pos, (int) inner);
                pos += inner;
            }
        }
        return new HostTensor(x.type(), outShape, out);
    }

    static List<HostTensor> split(HostTensor x, long axisAttr, long[] sizes, int outputs) {
        int axis = axis(axisAttr, x.rank(), "Split");
        long dim = x.dim(axis);
        if (sizes == null) {
            sizes = new long[outputs];
            long chunk = (dim + outputs - 1) / outputs;
            for (int i = 0; i < outputs; i++) sizes[i] = Math.min(chunk, dim - chunk * i);
        }
        List<HostTensor> out = new ArrayList<>();
        long start = 0;
        for (long s : sizes) {
            out.add(slice(x, new long[]{start}, new long[]{start + s}, new long[]{axis}, null));
            start += s;
        }
        return out;
    }

    static HostTensor squeeze(HostTensor x, long[] axes) {
        long[] shape = x.shape();
        boolean[] drop = new boolean[shape.length];
        if (axes == null) for (int i = 0; i < shape.length; i++) drop[i] = shape[i] == 1;
        else for (long a : axes) drop[axis(a, shape.length, "Squeeze")] = true;
        long[] out = new long[shape.length];
        int p = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!drop[i]) out[p++] = shape[i];
            else if (shape[i] != 1) throw new IllegalArgumentException("Squeeze: axis " + i + " has size " + shape[i]);
        }
        return x.reshape(Arrays.copyOf(out, p));
    }

    static HostTensor unsqueeze(HostTensor x, long[] axes) {
        int r = x.rank() + axes.length;
        boolean[] ins = new boolean[r];
        for (long a : axes) ins[axis(a, r, "Unsqueeze")] = true;
        long[] out = new long[r];
        int p = 0;
        for (int i = 0; i < r; i++) out[i] = ins[i] ? 1 : x.dim(p++);
        return x.reshape(out);
    }

    static HostTensor expand(HostTensor x, long[] shape) {
        long[] out = ElementwiseKernels.broadcastShape("Expand", x.shape(), shape);
        int[] map = ElementwiseKernels.broadcastIndex(out, x.shape());
        double[] d = new double[map.length];
        for (int i = 0; i < d.length; i++) d[i] = x.get(map[i]);
        return new HostTensor(x.type(), out, d);
    }

    static HostTensor tile(HostTensor x, long[] repeats) {
        long[] in = x.shape(), out = new long[in.length];
        for (int i = 0; i < in.length; i++) out[i] = in[i] * repeats[i];
        int n = HostTensor.count(out);
        long[] inSt = HostTensor.strides(in);
        double[] d = new double[n];
        long[] idx = new long[out.length];
        for (int i = 0; i < n; i++) {
            long off = 0;
            for (int k = 0; k < out.length; k++) off += (idx[k] % in[k]) * inSt[k];
            d[i] = x.get((int) off);
            for (int k = out.length - 1; k >= 0; k--) {
                if (++idx[k] < out[k]) break;
                idx[k] = 0;
            }
        }
        return new HostTensor(x.type(), out, d);
    }

    /** Constant-mode Pad with pads [x1_begin, x2_begin, ..., x1_end, x2_end, ...] (negative pads crop). */
    static HostTensor pad(HostTensor x, long[] pads, double value, String mode) {
        if (!mode.equals("constant")) throw new IllegalArgumentException("Pad: mode '" + mode + "' is not supported");
        int r = x.rank();
        long[] in = x.shape(), out = new long[r];
        for (int i = 0; i < r; i++) out[i] = in[i] + pads[i] + pads[i + r];
        int n = HostTensor.count(out);
        long[] inSt = HostTensor.strides(in);
        double[] d = new double[n];
        long[] idx = new long[r];
        for (int i = 0; i < n; i++) {
            long off = 0;
            boolean inside = true;
            for (int k = 0; k < r && inside; k++) {
                long s = idx[k] - pads[k];
                if (s < 0 || s >= in[k]) inside = false;
                else off += s * inSt[k];
            }
            d[i] = inside ? x.get((int) off) : value;
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < out[k]) break;
                idx[k] = 0;
            }
        }
        return new HostTensor(x.type(), out, d);
    }

    static HostTensor range(HostTensor start, HostTensor limit, HostTensor delta) {
        double s = start.get(0), l = limit.get(0), dl = delta.get(0);
        int n = (int) Math.max(0, Math.ceil((l - s) / dl));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = s + i * dl;
        return new HostTensor(start.type(), new long[]{n}, d);
    }

    static HostTensor cumsum(HostTensor x, long axisAttr, boolean exclusive, boolean reverse) {
        int axis = axis(axisAttr, x.rank(), "CumSum");
        long[] shape = x.shape();
        long outer = 1, inner = 1, dim = shape[axis];
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        double[] src = x.raw(), d = new double[src.length];
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                double acc = 0;
                for (long k = 0; k < dim; k++) {
                    long kk = reverse ? dim - 1 - k : k;
                    int at = (int) ((o * dim + kk) * inner + in);
                    if (exclusive) { d[at] = acc; acc = HostTensor.normalise(x.type(), acc + src[at]); }
                    else { acc = HostTensor.normalise(x.type(), acc + src[at]); d[at] = acc; }
                }
            }
        }
        return new HostTensor(x.type(), shape, d);
    }

    /**
     * For ScatterND (reduction none): the flat positions of {@code data} written by each update slice, in order
     * (the slice of update {@code u} covers {@code slice} consecutive elements starting at {@code result[u]}).
     */
    static long[] scatterNdTargets(long[] dataShape, HostTensor indices) {
        int q = indices.rank(), k = (int) indices.dim(q - 1);
        long[] st = HostTensor.strides(dataShape);
        int updates = indices.size() / k;
        long[] out = new long[updates];
        for (int u = 0; u < updates; u++) {
            long off = 0;
            for (int j = 0; j < k; j++) {
                long i = indices.getLong(u * k + j);
                if (i < 0) i += dataShape[j];
                off += i * st[j];
            }
            out[u] = off;
        }
        return out;
    }

    static HostTensor scatterNd(HostTensor data, HostTensor indices, HostTensor updates) {
        long[] shape = data.shape();
        int k = (int) indices.dim(indices.rank() - 1);
        long slice = 1;
        for (int i = k; i < shape.length; i++) slice *= shape[i];
        double[] d = data.values();
        long[] targets = scatterNdTargets(shape, indices);
        for (int u = 0; u < targets.length; u++) {
            for (int j = 0; j < slice; j++) d[(int) (targets[u] + j)] = updates.get((int) (u * slice + j));
        }
        return new HostTensor(data.type(), shape, d);
    }

    static HostTensor flatten(HostTensor x, long axisAttr) {
        int r = x.rank();
        int axis = (int) (axisAttr < 0 ? axisAttr + r : axisAttr);
        long a = 1, b = 1;
        for (int i = 0; i < axis; i++) a *= x.dim(i);
        for (int i = axis; i < r; i++) b *= x.dim(i);
        return x.reshape(new long[]{a, b});
    }
}
