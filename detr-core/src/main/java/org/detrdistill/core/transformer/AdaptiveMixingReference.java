package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Map;

/**
 * Plain-INDArray reference of {@link AdaptiveMixing} (forward, double precision): one query and group at a time with
 * 2-d matrix products, LayerNorm computed in Java, as in AdaMixer's {@code AdaptiveMixing.forward}.
 */
public final class AdaptiveMixingReference {

    private AdaptiveMixingReference() {}

    /**
     * @param params parameters by state_dict key without prefix ({@link AdaptiveMixing#PARAMETER_KEYS})
     * @param x      {@code [B,N,G,P_in,C_in/G]}
     * @param query  {@code [B,N,d]}
     * @return {@code [B,N,d]} DOUBLE
     */
    public static INDArray forward(AdaptiveMixingConfig config, Map<String, INDArray> params, INDArray x, INDArray query) {
        int g = config.nGroups(), ci = config.effInDim(), co = config.effOutDim(), pi = config.inPoints(), po = config.outPoints();
        int d = config.queryDim(), m = ci * co, per = config.parametersPerGroup();
        long b = query.size(0), n = query.size(1);
        if (query.rank() != 3 || query.size(2) != d) throw new IllegalArgumentException("query must be [B,N," + d + "], got " + Arrays.toString(query.shape()));
        if (!Arrays.equals(x.shape(), new long[]{b, n, g, pi, ci})) {
            throw new IllegalArgumentException("x must be " + Arrays.toString(new long[]{b, n, g, pi, ci}) + ", got " + Arrays.toString(x.shape()));
        }
        INDArray q = query.castTo(DataType.DOUBLE).reshape('c', b * n, d);
        INDArray generated = q.mmul(param(params, "parameter_generator.0.weight").transpose())
                .addiRowVector(param(params, "parameter_generator.0.bias"));                     // [BN, G*per]
        INDArray xs = x.castTo(DataType.DOUBLE).reshape('c', b * n, g, pi, ci);
        INDArray mixed = Nd4j.zeros(DataType.DOUBLE, b * n, (long) g * po * co);
        for (int r = 0; r < b * n; r++) {
            for (int gi = 0; gi < g; gi++) {
                INDArray gen = generated.getRow(r).get(NDArrayIndex.interval((long) gi * per, (long) (gi + 1) * per));
                INDArray mm = gen.get(NDArrayIndex.interval(0, m)).dup().reshape('c', ci, co);
                INDArray ss = gen.get(NDArrayIndex.interval(m, per)).dup().reshape('c', po, pi);
                INDArray feat = xs.get(NDArrayIndex.point(r), NDArrayIndex.point(gi), NDArrayIndex.all(), NDArrayIndex.all()).dup();
                INDArray out = reluLayerNorm(feat.mmul(mm));                                     // [Pi, Co]
                out = reluLayerNorm(ss.mmul(out));                                               // [Po, Co]
                mixed.get(NDArrayIndex.point(r), NDArrayIndex.interval((long) gi * po * co, (long) (gi + 1) * po * co))
                        .assign(out.reshape('c', new long[]{(long) po * co}));
            }
        }
        INDArray projected = mixed.mmul(param(params, "out_proj.weight").transpose()).addiRowVector(param(params, "out_proj.bias"));
        return q.add(projected).reshape('c', b, n, d);
    }

    /** relu(layer_norm(a over all its elements, eps 1e-5, no affine)). */
    private static INDArray reluLayerNorm(INDArray a) {
        double[] v = a.dup('c').data().asDouble();
        double mean = 0, var = 0;
        for (double e : v) mean += e;
        mean /= v.length;
        for (double e : v) var += (e - mean) * (e - mean);
        var /= v.length;
        double inv = 1 / Math.sqrt(var + org.detrdistill.core.nn.LayerNorm.EPS);
        for (int i = 0; i < v.length; i++) v[i] = Math.max(0, (v[i] - mean) * inv);
        return Nd4j.create(v, a.shape(), DataType.DOUBLE);
    }

    private static INDArray param(Map<String, INDArray> params, String key) {
        INDArray a = params.get(key);
        if (a == null) throw new IllegalArgumentException("missing parameter '" + key + "' (have " + params.keySet() + ")");
        return a.castTo(DataType.DOUBLE);
    }
}
