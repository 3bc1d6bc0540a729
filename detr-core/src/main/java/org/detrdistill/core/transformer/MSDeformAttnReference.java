package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Map;

/**
 * Plain-INDArray reference of {@link MSDeformAttn} (forward, double precision), step by step as
 * {@code MSDeformAttn.forward} of fundamentalvision/Deformable-DETR, with {@link MSDeformAttnCoreReference} as core.
 */
public final class MSDeformAttnReference {

    private MSDeformAttnReference() {}

    /**
     * @param config          module configuration
     * @param params          parameters by state_dict key without prefix ({@link MSDeformAttn#PARAMETER_KEYS})
     * @param query           {@code [B,Lq,d]}
     * @param referencePoints {@code [B,Lq,L,2]} normalised points or {@code [B,Lq,L,4]} normalised cxcywh boxes
     * @param inputFlatten    {@code [B,S,d]}
     * @param levels          spatial shapes, S = Σ H_l*W_l
     * @param paddingMask     {@code [B,S]} nonzero = padded, or null
     * @return {@code [B,Lq,d]} DOUBLE
     */
    public static INDArray forward(MSDeformAttnConfig config, Map<String, INDArray> params, INDArray query,
                                   INDArray referencePoints, INDArray inputFlatten, LevelShapes levels, INDArray paddingMask) {
        int d = config.dModel(), h = config.nHeads(), l = config.nLevels(), p = config.nPoints(), hd = config.headDim();
        long b = query.size(0), lq = query.size(1), s = inputFlatten.size(1);
        if (query.rank() != 3 || query.size(2) != d) throw new IllegalArgumentException("query must be [B,Lq," + d + "], got " + Arrays.toString(query.shape()));
        if (s != levels.totalSize() || inputFlatten.size(0) != b || inputFlatten.size(2) != d) {
            throw new IllegalArgumentException("input_flatten must be [" + b + "," + levels.totalSize() + "," + d + "], got "
                    + Arrays.toString(inputFlatten.shape()));
        }
        long rd = referencePoints.size(-1);
        if (referencePoints.rank() != 4 || referencePoints.size(2) != l || (rd != 2 && rd != 4)) {
            throw new IllegalArgumentException("reference_points must be [B,Lq," + l + ",2|4], got " + Arrays.toString(referencePoints.shape()));
        }
        INDArray value = linear(inputFlatten.reshape('c', b * s, d), params, "value_proj");
        if (paddingMask != null) {
            INDArray keep = paddingMask.castTo(DataType.DOUBLE).reshape('c', b * s, 1).rsub(1.0);
            value.muliColumnVector(keep);
        }
        value = value.reshape('c', b, s, h, hd);
        INDArray q = query.castTo(DataType.DOUBLE).reshape('c', b * lq, d);
        INDArray offsets = linear(q, params, "sampling_offsets").reshape('c', b, lq, h, l, p, 2);
        INDArray logits = linear(q, params, "attention_weights").reshape('c', b * lq * h, l * p);
        INDArray weights = Transforms.softmax(logits, true).reshape('c', b, lq, h, l, p);

        INDArray ref = referencePoints.castTo(DataType.DOUBLE);
        INDArray loc = Nd4j.zeros(DataType.DOUBLE, b, lq, h, l, p, 2);
        for (int bi = 0; bi < b; bi++) {
            for (int qi = 0; qi < lq; qi++) {
                for (int hi = 0; hi < h; hi++) {
                    for (int li = 0; li < l; li++) {
                        for (int pi = 0; pi < p; pi++) {
                            for (int c = 0; c < 2; c++) {
                                double off = offsets.getDouble(bi, qi, hi, li, pi, c);
                                double r = ref.getDouble(bi, qi, li, c);
                                double v = rd == 2
                                        ? r + off / (c == 0 ? levels.width(li) : levels.height(li))
                                        : r + off / p * ref.getDouble(bi, qi, li, 2 + c) * 0.5;
                                loc.putScalar(new long[]{bi, qi, hi, li, pi, c}, v);
                            }
                        }
                    }
                }
            }
        }
        INDArray heads = MSDeformAttnCoreReference.forward(value, levels, loc, weights);
        return linear(heads.reshape('c', b * lq, d), params, "output_proj").reshape('c', b, lq, d);
    }

    /** {@code x [N,in] W^T + b} with {@code params[name.weight] [out,in]}, {@code params[name.bias] [out]}. */
    private static INDArray linear(INDArray x, Map<String, INDArray> params, String name) {
        INDArray w = param(params, name + ".weight"), bias = param(params, name + ".bias");
        return x.castTo(DataType.DOUBLE).mmul(w.transpose()).addiRowVector(bias);
    }

    private static INDArray param(Map<String, INDArray> params, String key) {
        INDArray a = params.get(key);
        if (a == null) throw new IllegalArgumentException("missing parameter '" + key + "' (have " + params.keySet() + ")");
        return a.castTo(DataType.DOUBLE);
    }
}
