package org.detrdistill.core.onnx.eval;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Element-wise ONNX kernels on {@link HostTensor}s with NumPy (multidirectional) broadcasting. FLOAT results are
 * rounded to float32 after every operation, like a float32 runtime.
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {}

    /** The broadcast shape of several shapes (NumPy rules). */
    static long[] broadcastShape(String what, long[]... shapes) {
        int rank = 0;
        for (long[] s : shapes) rank = Math.max(rank, s.length);
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        for (long[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int o = rank - s.length + i;
                if (s[i] == out[o] || s[i] == 1) continue;
                if (out[o] == 1) out[o] = s[i];
                else throw new IllegalArgumentException(what + ": shapes cannot be broadcast: " + Arrays.deepToString(shapes));
            }
        }
        return out;
    }

    /** For every element of {@code outShape}, the flat index of the element of {@code in} it reads. */
    static int[] broadcastIndex(long[] outShape, long[] inShape) {
        int n = HostTensor.count(outShape);
        int rank = outShape.length;
        long[] inStrides = HostTensor.strides(inShape);
        long[] st = new long[rank];
        for (int i = 0; i < inShape.length; i++) {
            int o = rank - inShape.length + i;
            st[o] = inShape[i] == 1 ? 0 : inStrides[i];
        }
        int[] map = new int[n];
        long[] idx = new long[rank];
        long off = 0;
        for (int i = 0; i < n; i++) {
            map[i] = (int) off;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                off += st[d];
                if (idx[d] < outShape[d]) break;
                off -= st[d] * idx[d];
                idx[d] = 0;
            }
        }
        return map;
    }

    static HostTensor unary(HostTensor x, DoubleUnaryOperator f) {
        double[] in = x.raw();
        double[] out = new double[in.length];
        for (int i = 0; i < in.length; i++) out[i] = f.applyAsDouble(in[i]);
        return new HostTensor(x.type(), x.shape(), out);
    }

    /** A binary op; the result has {@code resultType} (null: the type of {@code a}). */
    static HostTensor binary(String op, HostTensor a, HostTensor b, HostTensor.Type resultType, DoubleBinaryOperator f) {
        long[] shape = broadcastShape(op, a.shape(), b.shape());
        int[] ia = broadcastIndex(shape, a.shape()), ib = broadcastIndex(shape, b.shape());
        double[] da = a.raw(), db = b.raw();
        double[] out = new double[ia.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(da[ia[i]], db[ib[i]]);
        return new HostTensor(resultType == null ? a.type() : resultType, shape, out);
    }

    /** ONNX Div: integer inputs divide with truncation toward zero. */
    static HostTensor div(HostTensor a, HostTensor b) {
        if (a.type().isFloating()) return binary("Div", a, b, null, (x, y) -> x / y);
        return binary("Div", a, b, null, (x, y) -> (double) ((long) x / (long) y));
    }

    /** ONNX Pow: the result has the type of the base. */
    static HostTensor pow(HostTensor a, HostTensor b) {
        return binary("Pow", a, b, null, (x, y) -> y == 2 ? x * x : Math.pow(x, y));
    }

    static HostTensor where(HostTensor cond, HostTensor x, HostTensor y) {
        long[] shape = broadcastShape("Where", cond.shape(), x.shape(), y.shape());
        int[] ic = broadcastIndex(shape, cond.shape()), ix = broadcastIndex(shape, x.shape()), iy = broadcastIndex(shape, y.shape());
        double[] out = new double[ic.length];
        for (int i = 0; i < out.length; i++) out[i] = cond.get(ic[i]) != 0 ? x.get(ix[i]) : y.get(iy[i]);
        return new HostTensor(x.type(), shape, out);
    }

    /** Variadic Max/Min/Sum/Mean. */
    static HostTensor variadic(String op, java.util.List<HostTensor> xs, DoubleBinaryOperator f) {
        HostTensor acc = xs.get(0);
        for (int i = 1; i < xs.size(); i++) acc = binary(op, acc, xs.get(i), null, f);
        return acc;
    }

    /** Clip with optional (empty-named) min and max inputs or (opset &lt; 11) attributes. */
    static HostTensor clip(HostTensor x, double lo, double hi) {
        return unary(x, v -> Math.min(Math.max(v, lo), hi));
    }

    /** The error function: Maclaurin series for |x| &lt; 2.5, the continued fraction of erfc above. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double sum = ax, term = ax, x2 = ax * ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // continued fraction for erfc
            double f = 0;
            for (int k = 60; k >= 1; k--) f = k / 2.0 / (ax + f);
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }
}
