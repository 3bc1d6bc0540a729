package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Plain-Java reference of {@link MSDeformAttnCore}, i.e. of Deformable DETR's {@code ms_deform_attn_core_pytorch}
 * (fundamentalvision/Deformable-DETR, models/ops/functions/ms_deform_attn_func.py), forward only, in double precision.
 */
public final class MSDeformAttnCoreReference {

    private MSDeformAttnCoreReference() {}

    /**
     * @param value              {@code [B,S,H,D]} values, S = Σ_l H_l*W_l, levels concatenated, each row-major (y, x)
     * @param levels             the spatial shapes (H_l, W_l)
     * @param samplingLocations  {@code [B,Lq,H,L,P,2]} normalised (x, y), may lie outside [0,1]
     * @param attentionWeights   {@code [B,Lq,H,L,P]} (normally softmax over L*P)
     * @return {@code [B,Lq,H*D]} DOUBLE, channel = h*D + d
     */
    public static INDArray forward(INDArray value, LevelShapes levels, INDArray samplingLocations, INDArray attentionWeights) {
        if (value.rank() != 4 || value.size(1) != levels.totalSize()) {
            throw new IllegalArgumentException("value must be [B," + levels.totalSize() + ",H,D] for " + levels + ", got "
                    + Arrays.toString(value.shape()));
        }
        long b = value.size(0), heads = value.size(2), d = value.size(3);
        long[] ls = samplingLocations.shape();
        if (ls.length != 6 || ls[0] != b || ls[2] != heads || ls[3] != levels.levels() || ls[5] != 2) {
            throw new IllegalArgumentException("sampling_locations must be [" + b + ",Lq," + heads + "," + levels.levels()
                    + ",P,2], got " + Arrays.toString(ls));
        }
        long lq = ls[1], p = ls[4];
        if (!Arrays.equals(attentionWeights.shape(), new long[]{b, lq, heads, levels.levels(), p})) {
            throw new IllegalArgumentException("attention_weights must be " + Arrays.toString(new long[]{b, lq, heads, levels.levels(), p})
                    + ", got " + Arrays.toString(attentionWeights.shape()));
        }
        SamplingPlan plan = SamplingPlan.deformable(levels, (int) heads, (int) d, (int) p);
        INDArray out = BilinearSamplerReference.sample(plan,
                value.reshape('c', b * levels.totalSize() * heads, d),
                samplingLocations.reshape('c', b, lq, heads, levels.levels() * p, 2),
                attentionWeights.reshape('c', b, lq, heads, levels.levels() * p));
        return out.reshape('c', b, lq, heads * d);
    }
}
