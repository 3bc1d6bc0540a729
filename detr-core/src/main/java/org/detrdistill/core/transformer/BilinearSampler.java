package org.detrdistill.core.transformer;

import org.detrdistill.core.internal.dl4j.Gathers;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-level bilinear sampling built from SameDiff primitives, equal to PyTorch {@code grid_sample(mode=bilinear,
 * padding_mode=zeros, align_corners=False)} on the grid {@code 2*loc - 1}, with its gradients w.r.t. the values, the
 * locations and the weights. Used by {@link MSDeformAttnCore} (Deformable DETR) and {@link Sampling3D} (AdaMixer).
 *
 * <p>Per sample: pixel {@code x = loc_x*W_l - 0.5}, {@code y = loc_y*H_l - 0.5}; corners (x0, y0), (x0+1, y0),
 * (x0, y0+1), (x0+1, y0+1) with x0 = floor(x), y0 = floor(y) and bilinear weights from the fractional parts; a
 * corner outside the map gets weight 0 (its row index is set to 0, so it reads a valid row and contributes nothing).
 * All corners of all samples are fetched with one row gather, weighted by corner weight × sample weight, and summed
 * by one batched matrix product. Cost O(B·Q·G·T·C): the feature map size enters only through the gather.
 *
 * <p>The batch size B and the query count Q may be dynamic (placeholder dimension -1); the levels, G, C and T are
 * fixed when the graph is built. The row index arithmetic runs in INT32 (B·S·G &lt; 2^31).
 */
public final class BilinearSampler {

    private BilinearSampler() {}

    /**
     * Samples and reduces as described by {@code plan}.
     *
     * @param sd        the graph
     * @param name      prefix for the variables this creates
     * @param plan      levels (S = Σ H_l·W_l), groups G, channels C, level of each of the T samples, R samples per output
     * @param valueRows {@code [B*S*G, C]} values; row {@code (b*S + s)*G + g} holds group g of sequence position s of
     *                  image b (a {@code [B,S,G,C]} tensor reshaped), s = level start + y*W_l + x
     * @param locations {@code [B,Q,G,T,2]} normalised (x, y), (0,0) = top-left corner, (1,1) = bottom-right corner
     * @param weights   {@code [B,Q,G,T]} weight of each sample (attention weights, level weights)
     * @return {@code [B,Q,G,T/R,C]}: output point o = Σ_{r<R} weights[..,o*R+r] · bilinear(value, locations[..,o*R+r,:])
     */
    public static SDVariable sample(SameDiff sd, String name, SamplingPlan plan, SDVariable valueRows,
                                    SDVariable locations, SDVariable weights) {
        DataType ft = locations.dataType();
        if (!ft.isFPType()) throw new IllegalArgumentException(name + ": locations must be floating point, got " + ft);
        int g = plan.groups(), c = plan.channels(), t = plan.samples(), r = plan.samplesPerOutput();
        int s = plan.sequenceLength();
        LevelShapes levels = plan.levels();
        int[] level = plan.levelOfSample();
        int[] starts = levels.starts();

        // per-sample level constants, [1,1,1,T] (for the pixel coordinates) and [1,1,1,T,1] (for the corners)
        double[] w = new double[t], h = new double[t];
        int[] wi = new int[t], startTimesG = new int[t];
        for (int i = 0; i < t; i++) {
            w[i] = levels.width(level[i]);
            h[i] = levels.height(level[i]);
            wi[i] = levels.width(level[i]);
            startTimesG[i] = starts[level[i]] * g;
        }
        SDVariable wT = sd.constant(name + "_W", Nd4j.create(w, new long[]{1, 1, 1, t}, ft));
        SDVariable hT = sd.constant(name + "_H", Nd4j.create(h, new long[]{1, 1, 1, t}, ft));
        SDVariable wMax = sd.constant(name + "_Wmax", Nd4j.create(w, new long[]{1, 1, 1, t, 1}, ft).sub(1));
        SDVariable hMax = sd.constant(name + "_Hmax", Nd4j.create(h, new long[]{1, 1, 1, t, 1}, ft).sub(1));
        SDVariable wTimesG = sd.constant(name + "_WG", Nd4j.createFromArray(wi).muli(g).reshape(1, 1, 1, t, 1));
        SDVariable startG = sd.constant(name + "_startG", Nd4j.createFromArray(startTimesG).reshape(1, 1, 1, t, 1));
        // corner offsets (dx, dy) = (0,0), (1,0), (0,1), (1,1) and the affine forms of the corner weights
        double[] dx = {0, 1, 0, 1}, dy = {0, 0, 1, 1};
        SDVariable dxC = sd.constant(name + "_dx", Nd4j.create(dx, new long[]{1, 1, 1, 1, 4}, ft));
        SDVariable dyC = sd.constant(name + "_dy", Nd4j.create(dy, new long[]{1, 1, 1, 1, 4}, ft));
        SDVariable oneMinusDx = sd.constant(name + "_1mdx", Nd4j.create(dx, new long[]{1, 1, 1, 1, 4}, ft).rsub(1));
        SDVariable twoDxMinus1 = sd.constant(name + "_2dxm1", Nd4j.create(dx, new long[]{1, 1, 1, 1, 4}, ft).mul(2).sub(1));
        SDVariable oneMinusDy = sd.constant(name + "_1mdy", Nd4j.create(dy, new long[]{1, 1, 1, 1, 4}, ft).rsub(1));
        SDVariable twoDyMinus1 = sd.constant(name + "_2dym1", Nd4j.create(dy, new long[]{1, 1, 1, 1, 4}, ft).mul(2).sub(1));
        SDVariable groupIdx = sd.constant(name + "_g", Nd4j.arange(g).castTo(DataType.INT32).reshape(1, 1, g, 1, 1));

        SDVariable[] xy = sd.unstack(new String[]{name + "_locx", name + "_locy"}, locations, 4, 2);
        SDVariable px = xy[0].mul(wT).sub(0.5);                       // [B,Q,G,T] pixel coordinates
        SDVariable py = xy[1].mul(hT).sub(0.5);
        SDVariable x0 = sd.math.floor(px), y0 = sd.math.floor(py);    // zero gradient
        SDVariable fx = sd.expandDims(px.sub(x0), 4);                 // [B,Q,G,T,1] fractional parts
        SDVariable fy = sd.expandDims(py.sub(y0), 4);
        SDVariable xs = sd.expandDims(x0, 4).add(dxC);                // [B,Q,G,T,4] corner pixels
        SDVariable ys = sd.expandDims(y0, 4).add(dyC);
        SDVariable valid = xs.gte(0.0).castTo(ft)
                .mul(xs.sub(wMax).lte(0.0).castTo(ft))
                .mul(ys.gte(0.0).castTo(ft))
                .mul(ys.sub(hMax).lte(0.0).castTo(ft));
        SDVariable wx = fx.mul(twoDxMinus1).add(oneMinusDx);          // 1-fx for dx=0, fx for dx=1
        SDVariable wy = fy.mul(twoDyMinus1).add(oneMinusDy);
        SDVariable cornerWeight = wx.mul(wy).mul(valid).mul(sd.expandDims(weights, 4));

        // row = b*S*G + (start + y*W + x)*G + g, invalid corners clamped to their image's first row
        SDVariable xi = xs.mul(valid).castTo(DataType.INT32);
        SDVariable yi = ys.mul(valid).castTo(DataType.INT32);
        SDVariable localIdx = yi.mul(wTimesG).add(xi.mul(g)).add(startG).add(groupIdx);   // [B,Q,G,T,4] within image
        SDVariable corners = gatherRows(sd, name + "_corners", valueRows, (long) s * g, locations, localIdx);
        SDVariable cornersR = sd.reshape(corners, -1, 4L * r, c);                        // [B*Q*G*O, R*4, C]
        SDVariable weightsR = sd.reshape(cornerWeight, -1, 1, 4L * r);                   // [B*Q*G*O, 1, R*4]
        SDVariable summed = sd.mmul(weightsR, cornersR);                                 // [B*Q*G*O, 1, C]

        return sd.reshape(name, summed, DynamicShapes.leading(sd, weights, 3, plan.outputsPerGroup(), c));
    }

    /**
     * Row gather {@code out[m,:] = valueRows[b*rowsPerImage + localIdx[b,...],:]} (m enumerating {@code localIdx} in
     * row-major order, b its leading index) with a correct gradient w.r.t. {@code valueRows} (segment sum over
     * repeated rows). The only place where this class gathers; it goes through {@link Gathers#rows} because the stock
     * {@code gather} has a wrong gradient in 1.0.0-M2.1. Cost O(M·C).
     *
     * @param localIdx {@code [B,Q,G,T,4]} INT32 row index within image b
     * @return {@code [localIdx.length, C]}
     */
    private static SDVariable gatherRows(SameDiff sd, String name, SDVariable valueRows, long rowsPerImage,
                                         SDVariable locations, SDVariable localIdx) {
        SDVariable batch = sd.sizeAt(locations, 0).castTo(DataType.INT32);
        SDVariable imageBase = sd.range(sd.constant(Nd4j.scalar(DataType.INT32, 0)), batch,
                sd.constant(Nd4j.scalar(DataType.INT32, 1)), DataType.INT32)
                .mul(sd.constant(Nd4j.scalar(DataType.INT32, Math.toIntExact(rowsPerImage))));
        SDVariable rowIdx = localIdx.add(sd.reshape(imageBase, -1, 1, 1, 1, 1));
        return Gathers.rows(sd, name, valueRows, sd.reshape(name + "_rowIdx", rowIdx, -1));
    }
}
