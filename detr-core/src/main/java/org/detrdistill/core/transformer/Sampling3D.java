package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Shapes;
import org.detrdistill.core.nn.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * AdaMixer's 3-d feature sampling ({@code sampling_3d} of MCG-NJU/AdaMixer,
 * mmdet/models/roi_heads/bbox_heads/sampling_3d_operator.py) as a SameDiff op, with gradients w.r.t. the feature maps
 * and the sample points. Plain-Java reference: {@link Sampling3DReference}.
 *
 * <p>A sample point (x, y, z) has x, y in image pixels and z = log2 of its scale. Its level weights are
 * {@code softmax_l(-(z - log2 stride_l)^2 / tau)}; on level l it reads the bilinear sample (zero padding,
 * align_corners=False) at the normalised location {@code (x / (W_l*stride_l), y / (H_l*stride_l))} of the channels of
 * its group; the output is the level-weighted sum. Built on {@link BilinearSampler}: one row gather for all levels.
 *
 * <p>The feature maps can be prepared once ({@link #prepare}) and sampled by every decoder stage ({@link #sample}).
 */
public final class Sampling3D {

    private Sampling3D() {}

    /**
     * {@link #prepare} then {@link #sample}.
     *
     * @param values       per level {@code [B,C,H_l,W_l]} feature maps, level l of stride {@code featmapStrides[l]}
     * @param levels       (H_l, W_l) of the feature maps, fixed when the graph is built
     * @param samplePoints {@code [B,N,1,G*P,3]} (x, y) in image pixels, z = log2 scale; point index g*P + p
     * @return {@code [B,N,G,P,C/G]}
     */
    public static SDVariable forward(SameDiff sd, String name, Sampling3DConfig config, LevelShapes levels,
                                     List<SDVariable> values, SDVariable samplePoints) {
        return sample(sd, name, config, levels, prepare(sd, name + "_prepared", config, levels, values), samplePoints);
    }

    /**
     * Flattens the feature maps into the sequence layout and builds the patch rows of {@link BilinearSampler#patches}.
     *
     * @param values per level {@code [B,C,H_l,W_l]}
     * @return {@code [B*S'*G, 4*C/G]} patch rows, S' = Σ (H_l+1)(W_l+1)
     */
    public static SDVariable prepare(SameDiff sd, String name, Sampling3DConfig config, LevelShapes levels, List<SDVariable> values) {
        checkLevels(name, config, levels);
        if (values.size() != config.levels()) {
            throw new IllegalArgumentException(name + ": " + values.size() + " feature maps given, config has " + config.levels() + " levels");
        }
        int c = config.channels();
        SDVariable[] flat = new SDVariable[values.size()];
        for (int l = 0; l < flat.length; l++) {
            flat[l] = sd.reshape(sd.permute(values.get(l), 0, 2, 3, 1), -1, (long) levels.height(l) * levels.width(l), c);  // [B,HW,C]
        }
        SDVariable all = flat.length == 1 ? flat[0] : sd.concat(1, flat);                                                  // [B,S,C]
        return BilinearSampler.patches(sd, name, plan(config, levels), all);
    }

    /**
     * Samples flattened feature maps. Also names {@code name + "_level_weights"} ({@code [B,N,G,P,L]}).
     *
     * @param prepared     {@code [B*S'*G, 4*C/G]} from {@link #prepare}
     * @param samplePoints {@code [B,N,1,G*P,3]} (x, y) in image pixels, z = log2 scale; point index g*P + p
     * @return {@code [B,N,G,P,C/G]}; B and N may be dynamic
     */
    public static SDVariable sample(SameDiff sd, String name, Sampling3DConfig config, LevelShapes levels,
                                    SDVariable prepared, SDVariable samplePoints) {
        checkLevels(name, config, levels);
        int g = config.nGroups(), p = config.nPoints(), l = config.levels();
        DataType ft = samplePoints.dataType();
        int[] strides = config.featmapStrides();
        double[] log2Stride = new double[l], invMapping = new double[2 * l];
        for (int i = 0; i < l; i++) {
            log2Stride[i] = config.log2Stride(i);
            invMapping[2 * i] = 1.0 / ((double) levels.width(i) * strides[i]);
            invMapping[2 * i + 1] = 1.0 / ((double) levels.height(i) * strides[i]);
        }
        SDVariable batch = Shapes.size(sd, samplePoints, 0), n = Shapes.size(sd, samplePoints, 1);
        SDVariable pts = Shapes.reshape(sd, samplePoints, batch, n, g, p, 3);                             // [B,N,G,P,3]
        SDVariable[] xyz = sd.unstack(pts, 4, 3);
        SDVariable xy = sd.expandDims(sd.stack(4, xyz[0], xyz[1]), 4);                                   // [B,N,G,P,1,2]
        SDVariable z = sd.expandDims(xyz[2], 4);                                                          // [B,N,G,P,1]
        SDVariable gridZ = sd.constant(Names.scoped(sd, name + "_log2_strides"), Nd4j.create(log2Stride, new long[]{1, 1, 1, 1, l}, ft));
        SDVariable levelWeights = sd.nn.softmax(name + "_level_weights",
                sd.math.square(z.sub(gridZ)).mul(-1.0 / config.tau()), 4);                               // [B,N,G,P,L]
        SDVariable inv = sd.constant(Names.scoped(sd, name + "_inv_mapping"), Nd4j.create(invMapping, new long[]{1, 1, 1, 1, l, 2}, ft));
        SDVariable loc = Shapes.reshape(sd, xy.mul(inv), batch, n, g, (long) p * l, 2);
        SDVariable w = Shapes.reshape(sd, levelWeights, batch, n, g, (long) p * l);
        return BilinearSampler.sampleFromPatches(sd, name, plan(config, levels), prepared, loc, w);     // [B,N,G,P,C/G]
    }

    private static SamplingPlan plan(Sampling3DConfig config, LevelShapes levels) {
        return SamplingPlan.levelBlend(levels, config.nGroups(), config.channelsPerGroup(), config.nPoints());
    }

    private static void checkLevels(String name, Sampling3DConfig config, LevelShapes levels) {
        if (levels.levels() != config.levels()) {
            throw new IllegalArgumentException(name + ": " + levels + " has " + levels.levels() + " levels, config has "
                    + config.levels() + " featmap_strides");
        }
    }
}
