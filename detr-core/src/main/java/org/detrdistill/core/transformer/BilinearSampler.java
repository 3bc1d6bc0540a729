package org.detrdistill.core.transformer;

import org.detrdistill.core.internal.dl4j.Gathers;
import org.detrdistill.core.nn.Shapes;
import org.detrdistill.core.nn.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-level bilinear sampling built from SameDiff primitives, equal to PyTorch {@code grid_sample(mode=bilinear,
 * padding_mode=zeros, align_corners=False)} on the grid {@code 2*loc - 1}, with its gradients w.r.t. the values, the
 * locations and the weights. Used by {@link MSDeformAttnCore} (Deformable DETR) and {@link Sampling3D} (AdaMixer).
 * Plain-Java reference: {@link BilinearSamplerReference}.
 *
 * <p>Per sample: pixel {@code x = loc_x*W_l - 0.5}, {@code y = loc_y*H_l - 0.5}, x0 = floor(x), y0 = floor(y); the
 * result is the bilinear blend of the 2×2 pixels (x0..x0+1, y0..y0+1), pixels outside the map counting as zero.
 *
 * <p>How: {@link #patches} zero-pads every level by one pixel on each side and lays out, for every top-left corner
 * (x0, y0) in [-1, W_l-1] × [-1, H_l-1] and group, the four pixels of its 2×2 patch as one row of 4·C values. A sample
 * then needs one row (a patch wholly outside the padded map gets weight 0 and reads row 0), fetched with a single
 * row gather with a correct gradient ({@link Gathers#rows}); the four corner weights × the sample weight are applied
 * and the 4·R corner values of each output summed by one batched matrix product. Cost O(B·Q·G·T·C) plus O(B·S·G·C)
 * for the patches: the feature map size does not multiply the number of samples. Gathering patches instead of single
 * pixels cuts the gathered row count by 4, which matters because ND4J's gather and its backward segment sum cost
 * microseconds per row.
 *
 * <p>The batch size B and the query count Q may be dynamic (placeholder dimension -1); the levels, G, C and T are
 * fixed when the graph is built. Row indices are computed in INT32 (B·S'·G &lt; 2^31, S' = Σ (H_l+1)(W_l+1)).
 */
public final class BilinearSampler {

    private BilinearSampler() {}

    /**
     * {@link #patches} then {@link #sampleFromPatches}.
     *
     * @param value {@code [B*S*G, C]} rows, or any tensor with the same row-major data ({@code [B,S,G,C]},
     *              {@code [B,S,G*C]}): group g of sequence position s of image b, s = level start + y*W_l + x
     * @return {@code [B,Q,G,T/R,C]}
     * @see #sampleFromPatches
     */
    public static SDVariable sample(SameDiff sd, String name, SamplingPlan plan, SDVariable value,
                                    SDVariable locations, SDVariable weights) {
        return sampleFromPatches(sd, name, plan, patches(sd, name + "_patches", plan, value), locations, weights);
    }

    /**
     * The 2×2 patch rows of every level of {@code value} (computed once, sampled any number of times).
     *
     * @param value {@code [B,S,G*C]} (or the same data in another row-major shape), S = {@code plan.sequenceLength()}
     * @return {@code [B*S'*G, 4*C]}, S' = Σ_l (H_l+1)(W_l+1): row {@code (b*S' + p)*G + g} holds, for patch position
     *         p = start'_l + (y0+1)*(W_l+1) + (x0+1), the pixels (x0,y0), (x0+1,y0), (x0,y0+1), (x0+1,y0+1) of group g
     */
    public static SDVariable patches(SameDiff sd, String name, SamplingPlan plan, SDVariable value) {
        LevelShapes levels = plan.levels();
        int g = plan.groups(), c = plan.channels(), gc = g * c;
        int[] starts = levels.starts();
        SDVariable seq = sd.reshape(value, -1, levels.totalSize(), gc);                                 // [B,S,G*C]
        SDVariable padding = sd.constant(Names.scoped(sd, name + "_padding"), Nd4j.createFromArray(new int[][]{{0, 0}, {1, 1}, {1, 1}, {0, 0}}));
        SDVariable[] perLevel = new SDVariable[levels.levels()];
        for (int l = 0; l < perLevel.length; l++) {
            int h = levels.height(l), w = levels.width(l);
            SDVariable level = sd.stridedSlice(seq, new long[]{0, starts[l], 0}, new long[]{0, starts[l] + (long) h * w, 0},
                    new long[]{1, 1, 1}, 5, 5, 0, 0, 0);                                                  // [B,HW,G*C]
            SDVariable padded = sd.nn.pad(sd.reshape(level, -1, h, w, gc), padding, 0.0);               // [B,H+2,W+2,G*C]
            SDVariable[] corners = new SDVariable[4];
            for (int k = 0; k < 4; k++) {
                int dx = k & 1, dy = k >> 1;
                SDVariable corner = sd.stridedSlice(padded, new long[]{0, dy, dx, 0}, new long[]{0, dy + h + 1, dx + w + 1, 0},
                        new long[]{1, 1, 1, 1}, 9, 9, 0, 0, 0);                                           // [B,H+1,W+1,G*C]
                corners[k] = sd.reshape(corner, -1, (long) (h + 1) * (w + 1), g, 1, c);
            }
            perLevel[l] = sd.concat(3, corners);                                                         // [B,(H+1)(W+1),G,4,C]
        }
        SDVariable all = perLevel.length == 1 ? perLevel[0] : sd.concat(1, perLevel);
        return sd.reshape(name, all, -1, 4L * c);
    }

    /**
     * Samples and reduces as described by {@code plan}.
     *
     * @param sd        the graph
     * @param name      output name, prefix of the helper variables
     * @param plan      levels, groups G, channels C, level of each of the T samples, R samples per output
     * @param patches   {@code [B*S'*G, 4*C]} from {@link #patches} with the same levels, G and C
     * @param locations {@code [B,Q,G,T,2]} normalised (x, y), (0,0) = top-left corner, (1,1) = bottom-right corner
     * @param weights   {@code [B,Q,G,T]} weight of each sample (attention weights, level weights)
     * @return {@code [B,Q,G,T/R,C]}: output point o = Σ_{r<R} weights[..,o*R+r] · bilinear(value, locations[..,o*R+r,:])
     */
    public static SDVariable sampleFromPatches(SameDiff sd, String name, SamplingPlan plan, SDVariable patches,
                                               SDVariable locations, SDVariable weights) {
        DataType ft = locations.dataType();
        if (!ft.isFPType()) throw new IllegalArgumentException(name + ": locations must be floating point, got " + ft);
        int g = plan.groups(), c = plan.channels(), t = plan.samples(), r = plan.samplesPerOutput();
        LevelShapes levels = plan.levels();
        int[] level = plan.levelOfSample();

        // per-sample level constants, [1,1,1,T]
        int patchRows = 0;
        int[] patchStart = new int[levels.levels()];
        for (int l = 0; l < levels.levels(); l++) {
            patchStart[l] = patchRows;
            patchRows += (levels.height(l) + 1) * (levels.width(l) + 1);
        }
        double[] w = new double[t], h = new double[t];
        int[] rowStride = new int[t], base = new int[t];
        for (int i = 0; i < t; i++) {
            w[i] = levels.width(level[i]);
            h[i] = levels.height(level[i]);
            rowStride[i] = (levels.width(level[i]) + 1) * g;
            base[i] = patchStart[level[i]] * g;
        }
        SDVariable wT = sd.constant(Names.scoped(sd, name + "_W"), Nd4j.create(w, new long[]{1, 1, 1, t}, ft));
        SDVariable hT = sd.constant(Names.scoped(sd, name + "_H"), Nd4j.create(h, new long[]{1, 1, 1, t}, ft));
        SDVariable rowStrideT = sd.constant(Names.scoped(sd, name + "_rowStride"), Nd4j.createFromArray(rowStride).reshape(1, 1, 1, t));
        SDVariable baseT = sd.constant(Names.scoped(sd, name + "_base"), Nd4j.createFromArray(base).reshape(1, 1, 1, t));
        SDVariable groupIdx = sd.constant(Names.scoped(sd, name + "_g"), Nd4j.arange(g).castTo(DataType.INT32).reshape(1, 1, g, 1));
        SDVariable[] xy = sd.unstack(new String[]{name + "_locx", name + "_locy"}, locations, 4, 2);
        SDVariable px = xy[0].mul(wT).add(0.5);                       // [B,Q,G,T] pixel coordinate + 1 (padded map)
        SDVariable py = xy[1].mul(hT).add(0.5);
        SDVariable x0 = sd.math.floor(px), y0 = sd.math.floor(py);    // patch corner in the padded map; zero gradient
        SDVariable valid = x0.gte(0.0).castTo(ft).mul(x0.sub(wT).lte(0.0).castTo(ft))
                .mul(y0.gte(0.0).castTo(ft)).mul(y0.sub(hT).lte(0.0).castTo(ft));
        // corner weights (1-fx)(1-fy), fx(1-fy), (1-fx)fy, fx*fy times the sample weight, all same-shape products
        SDVariable fx = px.sub(x0), fy = py.sub(y0);                 // [B,Q,G,T] fractional parts
        SDVariable a = valid.mul(weights);
        SDVariable left = fx.rsub(1.0).mul(a), right = fx.mul(a);
        SDVariable top = fy.rsub(1.0), bottom = fy;
        SDVariable cornerWeight = sd.stack(4, left.mul(top), right.mul(top), left.mul(bottom), right.mul(bottom));  // [B,Q,G,T,4]

        // patch row within the image = base_l + y0*(W_l+1)*G + x0*G + g; outside patches read row 0 with weight 0
        SDVariable xi = x0.mul(valid).castTo(DataType.INT32);
        SDVariable yi = y0.mul(valid).castTo(DataType.INT32);
        SDVariable localIdx = yi.mul(rowStrideT).add(xi.mul(g)).add(baseT).add(groupIdx);          // [B,Q,G,T]
        SDVariable rows = gatherRows(sd, name + "_rows", patches, (long) patchRows * g, locations, localIdx);  // [B*Q*G*T, 4C]
        SDVariable weightsR = sd.reshape(cornerWeight, -1, 1, 4L * r);                               // [B*Q*G*O, 1, R*4]
        SDVariable summed = sd.mmul(weightsR, sd.reshape(rows, -1, 4L * r, c));                       // [B*Q*G*O, 1, C]
        return Shapes.reshape(sd, summed, Shapes.size(sd, weights, 0), Shapes.size(sd, weights, 1), g,
                plan.outputsPerGroup(), c).rename(Names.scoped(sd, name));
    }

    /**
     * Row gather {@code out[m,:] = rows[b*rowsPerImage + localIdx[b,...],:]} (m enumerating {@code localIdx} in
     * row-major order, b its leading index) with a correct gradient w.r.t. {@code rows} (segment sum over repeated
     * rows). The only place where this class gathers; it goes through {@link Gathers#rows} because the stock
     * {@code gather} has a wrong gradient in 1.0.0-M2.1. Cost O(M·row width).
     *
     * @param localIdx {@code [B,Q,G,T]} INT32 row index within image b
     * @return {@code [localIdx.length, row width]}
     */
    private static SDVariable gatherRows(SameDiff sd, String name, SDVariable rows, long rowsPerImage,
                                         SDVariable locations, SDVariable localIdx) {
        SDVariable batch = sd.sizeAt(locations, 0).castTo(DataType.INT32);
        SDVariable imageBase = sd.range(sd.constant(Nd4j.scalar(DataType.INT32, 0)), batch,
                sd.constant(Nd4j.scalar(DataType.INT32, 1)), DataType.INT32)
                .mul(sd.constant(Nd4j.scalar(DataType.INT32, Math.toIntExact(rowsPerImage))));
        SDVariable rowIdx = localIdx.add(sd.reshape(imageBase, -1, 1, 1, 1));
        return Gathers.rows(sd, name, rows, sd.reshape(name + "_idx", rowIdx, -1));
    }
}
