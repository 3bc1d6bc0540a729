package org.detrdistill.core.onnx.eval;

import java.util.Arrays;

/**
 * ONNX network kernels on {@link HostTensor}s: MatMul, Gemm, Conv (2-D, NCHW), MaxPool, Softmax, reductions,
 * LayerNormalization, InstanceNormalization, Resize and GridSample. Sums accumulate in double and are rounded to
 * the tensor type once.
 */
final class NnKernels {
    private NnKernels() {}

    /** NumPy matmul: rank-1 operands are promoted and the added axis removed; batch axes broadcast. */
    static HostTensor matmul(HostTensor a, HostTensor b) {
        long[] as = a.shape(), bs = b.shape();
        boolean aVec = as.length == 1, bVec = bs.length == 1;
        if (aVec) as = new long[]{1, as[0]};
        if (bVec) bs = new long[]{bs[0], 1};
        long m = as[as.length - 2], k = as[as.length - 1], n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new IllegalArgumentException("MatMul: inner sizes differ: " + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()));
        }
        long[] batch = ElementwiseKernels.broadcastShape("MatMul", Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        int nb = HostTensor.count(batch);
        int[] ia = ElementwiseKernels.broadcastIndex(batch, Arrays.copyOf(as, as.length - 2));
        int[] ib = ElementwiseKernels.broadcastIndex(batch, Arrays.copyOf(bs, bs.length - 2));
        double[] da = a.raw(), db = b.raw(), out = new double[(int) (nb * m * n)];
        double[] row = new double[(int) n];
        for (int p = 0; p < nb; p++) {
            int oa = (int) (ia[p] * m * k), ob = (int) (ib[p] * k * n), oo = (int) (p * m * n);
            for (int i = 0; i < m; i++) {
                Arrays.fill(row, 0);
                for (int kk = 0; kk < k; kk++) {
                    double av = da[oa + i * (int) k + kk];
                    if (av == 0) continue;
                    int bo = ob + kk * (int) n;
                    for (int j = 0; j < n; j++) row[j] += av * db[bo + j];
                }
                System.arraycopy(row, 0, out, oo + i * (int) n, (int) n);
            }
        }
        long[] shape = new long[batch.length + 2];
        System.arraycopy(batch, 0, shape, 0, batch.length);
        shape[batch.length] = m;
        shape[batch.length + 1] = n;
        HostTensor r = new HostTensor(a.type(), shape, out);
        if (aVec || bVec) {
            long[] s = shape;
            long[] t = new long[s.length - (aVec ? 1 : 0) - (bVec ? 1 : 0)];
            int q = 0;
            for (int i = 0; i < s.length; i++) {
                if (aVec && i == s.length - 2) continue;
                if (bVec && i == s.length - 1) continue;
                t[q++] = s[i];
            }
            r = r.reshape(t);
        }
        return r;
    }

    static HostTensor gemm(HostTensor a, HostTensor b, HostTensor c, double alpha, double beta, boolean ta, boolean tb) {
        if (ta) a = ShapeKernels.transpose(a, null);
        if (tb) b = ShapeKernels.transpose(b, null);
        HostTensor y = matmul(a, b);
        if (alpha != 1) y = ElementwiseKernels.unary(y, v -> alpha * v);
        if (c != null) y = ElementwiseKernels.binary("Gemm", y, c, null, (p, q) -> p + beta * q);
        return y;
    }

    /** 2-D convolution NCHW with weights [O, I/group, kH, kW]; pads [top, left, bottom, right]. */
    static HostTensor conv(HostTensor x, HostTensor w, HostTensor bias, long[] strides, long[] pads, long[] dil, int group) {
        if (x.rank() != 4) throw new IllegalArgumentException("Conv: only 2-D convolution (rank-4 input) is supported, got " + x);
        long n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        long o = w.dim(0), ci = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        long oh = (h + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) / strides[0] + 1;
        long ow = (wd + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) / strides[1] + 1;
        double[] xd = x.raw(), wdt = w.raw(), out = new double[(int) (n * o * oh * ow)];
        long opg = o / group;
        double[] acc = new double[(int) (oh * ow)];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                Arrays.fill(acc, bias == null ? 0 : bias.get(oc));
                int g = (int) (oc / opg);
                for (int icl = 0; icl < ci; icl++) {
                    int ic = (int) (g * ci + icl);
                    int xBase = (int) ((b * c + ic) * h * wd);
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            double wv = wdt[(int) (((oc * ci + icl) * kh + ky) * kw + kx)];
                            for (int y = 0; y < oh; y++) {
                                long iy = y * strides[0] - pads[0] + ky * dil[0];
                                if (iy < 0 || iy >= h) continue;
                                int rowBase = xBase + (int) (iy * wd), accBase = (int) (y * ow);
                                for (int xx = 0; xx < ow; xx++) {
                                    long ix = xx * strides[1] - pads[1] + kx * dil[1];
                                    if (ix < 0 || ix >= wd) continue;
                                    acc[accBase + xx] += wv * xd[rowBase + (int) ix];
                                }
                            }
                        }
                    }
                }
                System.arraycopy(acc, 0, out, (int) ((b * o + oc) * oh * ow), acc.length);
            }
        }
        return new HostTensor(x.type(), new long[]{n, o, oh, ow}, out);
    }

    static HostTensor maxPool(HostTensor x, long[] k, long[] strides, long[] pads, boolean ceil) {
        long n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        long oh = outSize(h, k[0], strides[0], pads[0] + pads[2], ceil), ow = outSize(w, k[1], strides[1], pads[1] + pads[3], ceil);
        double[] d = x.raw(), out = new double[(int) (n * c * oh * ow)];
        int p = 0;
        for (long bc = 0; bc < n * c; bc++) {
            for (long y = 0; y < oh; y++) {
                for (long xx = 0; xx < ow; xx++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (long ky = 0; ky < k[0]; ky++) {
                        long iy = y * strides[0] - pads[0] + ky;
                        if (iy < 0 || iy >= h) continue;
                        for (long kx = 0; kx < k[1]; kx++) {
                            long ix = xx * strides[1] - pads[1] + kx;
                            if (ix < 0 || ix >= w) continue;
                            m = Math.max(m, d[(int) ((bc * h + iy) * w + ix)]);
                        }
                    }
                    out[p++] = m;
                }
            }
        }
        return new HostTensor(x.type(), new long[]{n, c, oh, ow}, out);
    }

    private static long outSize(long in, long k, long s, long padTotal, boolean ceil) {
        double v = (double) (in + padTotal - k) / s;
        return (long) (ceil ? Math.ceil(v) : Math.floor(v)) + 1;
    }

    /** Softmax along one axis (opset 13 semantics). */
    static HostTensor softmax(HostTensor x, long axisAttr) {
        int axis = ShapeKernels.axis(axisAttr, x.rank(), "Softmax");
        long[] s = x.shape();
        long outer = 1, inner = 1, dim = s[axis];
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.length; i++) inner *= s[i];
        double[] d = x.raw(), out = new double[d.length];
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                double m = Double.NEGATIVE_INFINITY, sum = 0;
                for (long k = 0; k < dim; k++) m = Math.max(m, d[(int) ((o * dim + k) * inner + in)]);
                for (long k = 0; k < dim; k++) sum += Math.exp(d[(int) ((o * dim + k) * inner + in)] - m);
                for (long k = 0; k < dim; k++) {
                    int at = (int) ((o * dim + k) * inner + in);
                    out[at] = Math.exp(d[at] - m) / sum;
                }
            }
        }
        return new HostTensor(x.type(), s, out);
    }

    /** Reduction kinds. */
    enum Reduce { SUM, MEAN, MAX, MIN, PROD }

    /** Reduces over {@code axes} (null or empty: all axes, unless {@code noopEmpty}). */
    static HostTensor reduce(HostTensor x, long[] axes, boolean keepDims, Reduce kind, boolean noopEmpty) {
        int r = x.rank();
        if ((axes == null || axes.length == 0) && noopEmpty) return x;
        boolean[] red = new boolean[r];
        if (axes == null || axes.length == 0) Arrays.fill(red, true);
        else for (long a : axes) red[ShapeKernels.axis(a, r, "Reduce")] = true;
        long[] s = x.shape(), keep = s.clone();
        for (int i = 0; i < r; i++) if (red[i]) keep[i] = 1;
        int n = HostTensor.count(keep);
        double[] acc = new double[n];
        double init = switch (kind) { case MAX -> Double.NEGATIVE_INFINITY; case MIN -> Double.POSITIVE_INFINITY; case PROD -> 1; default -> 0; };
        Arrays.fill(acc, init);
        long[] kst = HostTensor.strides(keep);
        long[] idx = new long[r];
        double[] d = x.raw();
        for (int i = 0; i < d.length; i++) {
            long o = 0;
            for (int k = 0; k < r; k++) if (!red[k]) o += idx[k] * kst[k];
            int oi = (int) o;
            acc[oi] = switch (kind) {
                case SUM, MEAN -> acc[oi] + d[i];
                case MAX -> Math.max(acc[oi], d[i]);
                case MIN -> Math.min(acc[oi], d[i]);
                case PROD -> acc[oi] * d[i];
            };
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < s[k]) break;
                idx[k] = 0;
            }
        }
        if (kind == Reduce.MEAN) {
            double cnt = (double) d.length / n;
            for (int i = 0; i < n; i++) acc[i] /= cnt;
        }
        long[] outShape = keep;
        if (!keepDims) {
            outShape = new long[r];
            int q = 0;
            for (int i = 0; i < r; i++) if (!red[i]) outShape[q++] = s[i];
            outShape = Arrays.copyOf(outShape, q);
        }
        return new HostTensor(x.type(), outShape, acc);
    }

    /** (x - mean) / sqrt(var + eps) over the axes from {@code axis} on, then scale and bias (broadcast). */
    static HostTensor layerNorm(HostTensor x, HostTensor scale, HostTensor bias, long axisAttr, double eps) {
        int axis = ShapeKernels.axis(axisAttr, x.rank(), "LayerNormalization");
        long inner = 1;
        for (int i = axis; i < x.rank(); i++) inner *= x.dim(i);
        HostTensor y = normalise(x, x.size() / inner, inner, eps);
        y = ElementwiseKernels.binary("LayerNormalization", y, scale, null, (p, q) -> p * q);
        return bias == null ? y : ElementwiseKernels.binary("LayerNormalization", y, bias, null, Double::sum);
    }

    /** Per (n, c) normalisation over the spatial axes, then per-channel scale and bias. */
    static HostTensor instanceNorm(HostTensor x, HostTensor scale, HostTensor bias, double eps) {
        long n = x.dim(0), c = x.dim(1), inner = x.size() / (n * c);
        HostTensor y = normalise(x, n * c, inner, eps);
        double[] d = y.values();
        for (int i = 0; i < d.length; i++) {
            int ch = (int) ((i / inner) % c);
            d[i] = d[i] * scale.get(ch) + bias.get(ch);
        }
        return new HostTensor(x.type(), x.shape(), d);
    }

    private static HostTensor normalise(HostTensor x, long groups, long inner, double eps) {
        double[] d = x.raw(), out = new double[d.length];
        for (long g = 0; g < groups; g++) {
            double mean = 0, var = 0;
            for (long i = 0; i < inner; i++) mean += d[(int) (g * inner + i)];
            mean /= inner;
            for (long i = 0; i < inner; i++) { double t = d[(int) (g * inner + i)] - mean; var += t * t; }
            var /= inner;
            double inv = 1 / Math.sqrt(var + eps);
            for (long i = 0; i < inner; i++) out[(int) (g * inner + i)] = (d[(int) (g * inner + i)] - mean) * inv;
        }
        return new HostTensor(x.type(), x.shape(), out);
    }

    /** Resize of the two trailing axes of a rank-4 tensor (nearest or linear), given output sizes. */
    static HostTensor resize(HostTensor x, long[] outShape, double[] scales, String mode, String coord, String nearestMode) {
        long n = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3), oh = outShape[2], ow = outShape[3];
        if (x.dim(0) != outShape[0] || x.dim(1) != outShape[1]) throw new IllegalArgumentException("Resize: only the two last axes may change");
        double[] d = x.raw(), out = new double[(int) (n * oh * ow)];
        int p = 0;
        for (long b = 0; b < n; b++) {
            for (long y = 0; y < oh; y++) {
                double sy = source(y, h, oh, scales[2], coord);
                for (long xx = 0; xx < ow; xx++) {
                    double sx = source(xx, w, ow, scales[3], coord);
                    if (mode.equals("nearest")) {
                        long iy = Math.min(h - 1, Math.max(0, nearest(sy, nearestMode))), ix = Math.min(w - 1, Math.max(0, nearest(sx, nearestMode)));
                        out[p++] = d[(int) ((b * h + iy) * w + ix)];
                    } else if (mode.equals("linear")) {
                        sy = Math.max(0, Math.min(sy, h - 1));
                        sx = Math.max(0, Math.min(sx, w - 1));
                        long y0 = (long) Math.floor(sy), x0 = (long) Math.floor(sx);
                        long y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
                        double fy = sy - y0, fx = sx - x0;
                        long base = b * h * w;
                        out[p++] = (1 - fy) * ((1 - fx) * d[(int) (base + y0 * w + x0)] + fx * d[(int) (base + y0 * w + x1)])
                                + fy * ((1 - fx) * d[(int) (base + y1 * w + x0)] + fx * d[(int) (base + y1 * w + x1)]);
                    } else {
                        throw new IllegalArgumentException("Resize: mode '" + mode + "' is not supported");
                    }
                }
            }
        }
        return new HostTensor(x.type(), outShape, out);
    }

    private static double source(long o, long in, long out, double scale, String coord) {
        double s = scale > 0 ? scale : (double) out / in;
        return switch (coord) {
            case "asymmetric" -> o / s;
            case "align_corners" -> out == 1 ? 0 : o * (double) (in - 1) / (out - 1);
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / s - 0.5 : 0;
            case "half_pixel" -> (o + 0.5) / s - 0.5;
            default -> throw new IllegalArgumentException("Resize: coordinate_transformation_mode '" + coord + "' is not supported");
        };
    }

    private static long nearest(double v, String mode) {
        return switch (mode) {
            case "floor" -> (long) Math.floor(v);
            case "ceil" -> (long) Math.ceil(v);
            case "round_prefer_ceil" -> (long) Math.floor(v + 0.5);
            default -> (long) Math.ceil(v - 0.5); // round_prefer_floor (the default)
        };
    }

    /** GridSample, bilinear, padding zeros: x [N,C,H,W], grid [N,Ho,Wo,2] (x, y in [-1, 1]) -> [N,C,Ho,Wo]. */
    static HostTensor gridSample(HostTensor x, HostTensor grid, boolean alignCorners) {
        long n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), oh = grid.dim(1), ow = grid.dim(2);
        double[] d = x.raw(), g = grid.raw(), out = new double[(int) (n * c * oh * ow)];
        for (long b = 0; b < n; b++) {
            for (long p = 0; p < oh * ow; p++) {
                double gx = g[(int) ((b * oh * ow + p) * 2)], gy = g[(int) ((b * oh * ow + p) * 2 + 1)];
                double px = alignCorners ? (gx + 1) / 2 * (w - 1) : ((gx + 1) * w - 1) / 2;
                double py = alignCorners ? (gy + 1) / 2 * (h - 1) : ((gy + 1) * h - 1) / 2;
                long x0 = (long) Math.floor(px), y0 = (long) Math.floor(py);
                double fx = px - x0, fy = py - y0;
                for (long ch = 0; ch < c; ch++) {
                    long base = (b * c + ch) * h * w;
                    double v = 0;
                    for (int cy = 0; cy < 2; cy++) {
                        for (int cx = 0; cx < 2; cx++) {
                            long yy = y0 + cy, xx = x0 + cx;
                            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                            double wgt = (cy == 1 ? fy : 1 - fy) * (cx == 1 ? fx : 1 - fx);
                            v += wgt * d[(int) (base + yy * w + xx)];
                        }
                    }
                    out[(int) ((b * c + ch) * oh * ow + p)] = v;
                }
            }
        }
        return new HostTensor(x.type(), new long[]{n, c, oh, ow}, out);
    }
}
