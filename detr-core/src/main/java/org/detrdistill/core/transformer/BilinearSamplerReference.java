package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Plain-Java reference of {@link BilinearSampler}: the same multi-level bilinear sampling, computed point by point in
 * double precision. Sampling follows PyTorch {@code grid_sample(mode=bilinear, padding_mode=zeros,
 * align_corners=False)} on the grid {@code 2*loc - 1}: pixel {@code x = loc_x*W - 0.5}, {@code y = loc_y*H - 0.5};
 * each of the four neighbouring pixels outside the map contributes zero. Cost O(B·Q·G·T·C).
 */
public final class BilinearSamplerReference {

    private BilinearSamplerReference() {}

    /**
     * @param plan      levels, groups G, channels C, level of each sample, samples per output R
     * @param valueRows {@code [B*S*G, C]} values, row {@code (b*S + s)*G + g}, s = level start + y*W_l + x
     * @param locations {@code [B,Q,G,T,2]} normalised (x, y); (0,0) is the top-left corner of the map, (1,1) the bottom-right
     * @param weights   {@code [B,Q,G,T]} weight of each sample
     * @return {@code [B,Q,G,T/R,C]} = Σ over each run of R samples of weight · bilinear(value, location), DOUBLE
     */
    public static INDArray sample(SamplingPlan plan, INDArray valueRows, INDArray locations, INDArray weights) {
        int g = plan.groups(), c = plan.channels(), t = plan.samples(), r = plan.samplesPerOutput(), s = plan.sequenceLength();
        if (locations.rank() != 5 || locations.size(2) != g || locations.size(3) != t || locations.size(4) != 2) {
            throw new IllegalArgumentException("locations must be [B,Q," + g + "," + t + ",2], got " + Arrays.toString(locations.shape()));
        }
        int b = (int) locations.size(0), q = (int) locations.size(1);
        if (!Arrays.equals(weights.shape(), new long[]{b, q, g, t})) {
            throw new IllegalArgumentException("weights must be [" + b + "," + q + "," + g + "," + t + "], got " + Arrays.toString(weights.shape()));
        }
        if (valueRows.rank() != 2 || valueRows.size(0) != (long) b * s * g || valueRows.size(1) != c) {
            throw new IllegalArgumentException("valueRows must be [" + ((long) b * s * g) + "," + c + "] (B*S*G, C), got "
                    + Arrays.toString(valueRows.shape()));
        }
        double[] v = valueRows.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] loc = locations.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] w = weights.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int[] starts = plan.levels().starts();
        int[] level = plan.levelOfSample();
        int o = t / r;
        double[] out = new double[b * q * g * o * c];
        for (int bi = 0; bi < b; bi++) {
            for (int qi = 0; qi < q; qi++) {
                for (int gi = 0; gi < g; gi++) {
                    int pointBase = ((bi * q + qi) * g + gi) * t;
                    for (int ti = 0; ti < t; ti++) {
                        int lv = level[ti];
                        int outBase = (((bi * q + qi) * g + gi) * o + ti / r) * c;
                        double x = loc[(pointBase + ti) * 2], y = loc[(pointBase + ti) * 2 + 1];
                        addBilinear(v, out, outBase, w[pointBase + ti], x, y, plan.levels().height(lv), plan.levels().width(lv),
                                bi * s + starts[lv], g, gi, c);
                    }
                }
            }
        }
        return Nd4j.create(out, new long[]{b, q, g, o, c}, DataType.DOUBLE);
    }

    /**
     * Adds {@code weight · bilinear(x, y)} of one group of one level to {@code out[outBase .. outBase+C-1]}.
     *
     * @param levelRow sequence index of the level's first pixel for this image ({@code b*S + start_l})
     */
    static void addBilinear(double[] value, double[] out, int outBase, double weight, double locX, double locY,
                            int height, int width, int levelRow, int groups, int group, int channels) {
        double px = locX * width - 0.5, py = locY * height - 0.5;
        double x0 = Math.floor(px), y0 = Math.floor(py);
        double fx = px - x0, fy = py - y0;
        for (int corner = 0; corner < 4; corner++) {
            int dx = corner & 1, dy = corner >> 1;
            long xc = (long) x0 + dx, yc = (long) y0 + dy;
            if (xc < 0 || xc >= width || yc < 0 || yc >= height) continue;
            double cw = weight * (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
            int row = (int) ((levelRow + yc * width + xc) * groups + group);
            for (int ci = 0; ci < channels; ci++) out[outBase + ci] += cw * value[row * channels + ci];
        }
    }
}
