package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Shapes;
import org.detrdistill.core.nn.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Multi-scale deformable attention core as a SameDiff op, equal to Deformable DETR's {@code ms_deform_attn_core_pytorch}
 * (fundamentalvision/Deformable-DETR, models/ops/functions/ms_deform_attn_func.py) in forward and gradients (w.r.t. the
 * value, the sampling locations and the attention weights). Built on {@link BilinearSampler}; plain-Java reference:
 * {@link MSDeformAttnCoreReference}.
 *
 * <p>For query q and head h: {@code out[b,q,h*D:(h+1)*D] = Σ_{l,p} A[b,q,h,l,p] · bilinear_l(value[b,:,h,:],
 * loc[b,q,h,l,p])}, bilinear with zero padding and align_corners=False (pixel x = loc_x*W_l - 0.5).
 */
public final class MSDeformAttnCore {

    private MSDeformAttnCore() {}

    /**
     * @param sd                the graph
     * @param name              output variable name (also the prefix of the helper variables)
     * @param value             {@code [B,S,H,D]} values, S = Σ_l H_l*W_l, levels concatenated, each row-major (y, x)
     * @param levels            the spatial shapes (H_l, W_l), fixed when the graph is built
     * @param heads             H
     * @param headDim           D
     * @param points            P, sampling points per head and level
     * @param samplingLocations {@code [B,Lq,H,L,P,2]} normalised (x, y); values outside [0,1] read zeros
     * @param attentionWeights  {@code [B,Lq,H,L,P]} (normally softmax over L*P per query and head)
     * @return {@code [B,Lq,H*D]}, channel = h*D + d; B and Lq may be dynamic
     */
    public static SDVariable forward(SameDiff sd, String name, SDVariable value, LevelShapes levels, int heads, int headDim,
                                     int points, SDVariable samplingLocations, SDVariable attentionWeights) {
        SamplingPlan plan = SamplingPlan.deformable(levels, heads, headDim, points);
        int t = plan.samples();
        SDVariable batch = Shapes.size(sd, attentionWeights, 0), lq = Shapes.size(sd, attentionWeights, 1);
        SDVariable loc = Shapes.reshape(sd, samplingLocations, batch, lq, heads, t, 2);
        SDVariable aw = Shapes.reshape(sd, attentionWeights, batch, lq, heads, t);
        SDVariable sampled = BilinearSampler.sample(sd, name + "_sample", plan, value, loc, aw);  // [B,Lq,H,1,D]
        return Shapes.reshape(sd, sampled, batch, lq, (long) heads * headDim).rename(Names.scoped(sd, name));
    }
}
