package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * Plain-Java reference of {@link Sampling3D} (forward, double precision), written directly from AdaMixer's
 * {@code sampling_3d} / {@code sampling_each_level} / {@code translate_to_linear_weight} on NCHW feature maps,
 * independently of the row layout of {@link BilinearSampler}.
 */
public final class Sampling3DReference {

    private Sampling3DReference() {}

    /**
     * @param values       per level {@code [B,C,H_l,W_l]}
     * @param samplePoints {@code [B,N,1,G*P,3]} (x, y) image pixels, z = log2 scale
     * @return {@code [B,N,G,P,C/G]} DOUBLE
     */
    public static INDArray forward(Sampling3DConfig config, List<INDArray> values, INDArray samplePoints) {
        int g = config.nGroups(), p = config.nPoints(), l = config.levels(), cg = config.channelsPerGroup();
        long[] ps = samplePoints.shape();
        if (ps.length != 5 || ps[2] != 1 || ps[3] != (long) g * p || ps[4] != 3) {
            throw new IllegalArgumentException("sample_points must be [B,N,1," + (g * p) + ",3], got " + Arrays.toString(ps));
        }
        if (values.size() != l) throw new IllegalArgumentException(values.size() + " feature maps given, config has " + l + " levels");
        int b = (int) ps[0], n = (int) ps[1];
        double[] pts = samplePoints.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[][] maps = new double[l][];
        int[] hs = new int[l], ws = new int[l];
        for (int li = 0; li < l; li++) {
            INDArray v = values.get(li);
            if (v.rank() != 4 || v.size(0) != b || v.size(1) != config.channels()) {
                throw new IllegalArgumentException("value_" + li + " must be [" + b + "," + config.channels() + ",H,W], got "
                        + Arrays.toString(v.shape()));
            }
            maps[li] = v.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            hs[li] = (int) v.size(2);
            ws[li] = (int) v.size(3);
        }
        double[] weights = levelWeights(config, samplePoints).dup('c').data().asDouble();
        int[] strides = config.featmapStrides();
        double[] out = new double[b * n * g * p * cg];
        for (int bi = 0; bi < b; bi++) {
            for (int ni = 0; ni < n; ni++) {
                for (int gi = 0; gi < g; gi++) {
                    for (int pi = 0; pi < p; pi++) {
                        int point = (bi * n + ni) * g * p + gi * p + pi;
                        int o = point * cg;
                        for (int li = 0; li < l; li++) {
                            double u = pts[point * 3] / ((double) ws[li] * strides[li]);
                            double v = pts[point * 3 + 1] / ((double) hs[li] * strides[li]);
                            double px = u * ws[li] - 0.5, py = v * hs[li] - 0.5;
                            double x0 = Math.floor(px), y0 = Math.floor(py), fx = px - x0, fy = py - y0;
                            double lw = weights[point * l + li];
                            for (int corner = 0; corner < 4; corner++) {
                                long xc = (long) x0 + (corner & 1), yc = (long) y0 + (corner >> 1);
                                if (xc < 0 || xc >= ws[li] || yc < 0 || yc >= hs[li]) continue;
                                double cw = lw * ((corner & 1) == 1 ? fx : 1 - fx) * ((corner >> 1) == 1 ? fy : 1 - fy);
                                for (int ci = 0; ci < cg; ci++) {
                                    int ch = gi * cg + ci;
                                    out[o + ci] += cw * maps[li][(int) ((((long) bi * config.channels() + ch) * hs[li] + yc) * ws[li] + xc)];
                                }
                            }
                        }
                    }
                }
            }
        }
        return Nd4j.create(out, new long[]{b, n, g, p, cg}, DataType.DOUBLE);
    }

    /**
     * {@code translate_to_linear_weight}: softmax over levels of {@code -(z - log2 stride_l)^2 / tau}.
     *
     * @param samplePoints {@code [B,N,1,G*P,3]}
     * @return {@code [B,N,1,G*P,L]} DOUBLE
     */
    public static INDArray levelWeights(Sampling3DConfig config, INDArray samplePoints) {
        long[] ps = samplePoints.shape();
        int l = config.levels();
        int count = (int) (samplePoints.length() / 3);
        double[] pts = samplePoints.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] out = new double[count * l];
        for (int i = 0; i < count; i++) {
            double z = pts[i * 3 + 2], max = Double.NEGATIVE_INFINITY;
            for (int li = 0; li < l; li++) {
                double d = z - config.log2Stride(li);
                out[i * l + li] = -(d * d) / config.tau();
                max = Math.max(max, out[i * l + li]);
            }
            double sum = 0;
            for (int li = 0; li < l; li++) sum += out[i * l + li] = Math.exp(out[i * l + li] - max);
            for (int li = 0; li < l; li++) out[i * l + li] /= sum;
        }
        return Nd4j.create(out, new long[]{ps[0], ps[1], ps[2], ps[3], l}, DataType.DOUBLE);
    }
}
