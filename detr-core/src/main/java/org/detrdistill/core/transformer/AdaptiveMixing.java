package org.detrdistill.core.transformer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * AdaMixer's adaptive mixing ({@code AdaptiveMixing} of MCG-NJU/AdaMixer,
 * mmdet/models/roi_heads/bbox_heads/adaptive_mixing_operator.py) as a SameDiff builder. Plain-INDArray reference:
 * {@link AdaptiveMixingReference}.
 *
 * <p>Per query, a linear parameter generator turns the query into, per group, a channel-mixing matrix
 * M {@code [C_in/G, C_out/G]} and a spatial-mixing matrix S {@code [P_out, P_in]}. The group's sampled features
 * x {@code [P_in, C_in/G]} become {@code relu(LN(x·M))}, then {@code relu(LN(S·that))}, LN over both axes without
 * affine parameters (eps 1e-5); the groups are flattened (order group, out point, channel), projected by
 * {@code out_proj} to the query width and added to the query.
 *
 * <p>Parameters are SameDiff variables named {@code prefix + key} with the state_dict keys
 * {@link #PARAMETER_KEYS} (PyTorch shapes, {@code nn.Linear} weights {@code [out, in]}).
 */
public final class AdaptiveMixing {

    /** The state_dict keys of the module. */
    public static final List<String> PARAMETER_KEYS = List.of(
            "parameter_generator.0.weight", "parameter_generator.0.bias", "out_proj.weight", "out_proj.bias");

    /** LayerNorm epsilon of {@code F.layer_norm}. */
    static final double LN_EPS = 1e-5;

    private final SameDiff sd;
    private final AdaptiveMixingConfig config;
    private final Map<String, SDVariable> params;

    private AdaptiveMixing(SameDiff sd, AdaptiveMixingConfig config, Map<String, SDVariable> params) {
        this.sd = sd;
        this.config = config;
        this.params = params;
    }

    /** Adds the module with the initialisation of {@link #initialParameters}. */
    public static AdaptiveMixing create(SameDiff sd, String prefix, AdaptiveMixingConfig config, DataType type, long seed) {
        Map<String, INDArray> init = new LinkedHashMap<>();
        initialParameters(config, seed).forEach((k, v) -> init.put(prefix + k, v));
        return load(sd, prefix, config, type, init);
    }

    /**
     * Adds the module with parameters from a state_dict.
     *
     * @param stateDict arrays by full key ({@code prefix + key}); other keys are ignored
     * @throws IllegalArgumentException naming the key when one is missing or mis-shaped
     */
    public static AdaptiveMixing load(SameDiff sd, String prefix, AdaptiveMixingConfig config, DataType type,
                                      Map<String, INDArray> stateDict) {
        int gen = config.nGroups() * config.parametersPerGroup(), outIn = config.effOutDim() * config.outPoints() * config.nGroups();
        long[][] shapes = {{gen, config.queryDim()}, {gen}, {config.queryDim(), outIn}, {config.queryDim()}};
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        for (int i = 0; i < PARAMETER_KEYS.size(); i++) {
            String key = prefix + PARAMETER_KEYS.get(i);
            vars.put(PARAMETER_KEYS.get(i), sd.var(key, Linears.take(stateDict, key, type, shapes[i])));
        }
        return new AdaptiveMixing(sd, config, vars);
    }

    /**
     * The initialisation AdaMixer's decoder stage gives the module (keys without prefix, DOUBLE): every Linear reset
     * (bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))) then a xavier-uniform weight, then the parameter generator's weight
     * zeroed ({@code AdaptiveMixing.init_weights}), so at the start the mixing matrices are the generator bias.
     */
    public static Map<String, INDArray> initialParameters(AdaptiveMixingConfig config, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = config.queryDim(), gen = config.nGroups() * config.parametersPerGroup();
        int outIn = config.effOutDim() * config.outPoints() * config.nGroups();
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("parameter_generator.0.weight", Nd4j.zeros(DataType.DOUBLE, gen, d));
        m.put("parameter_generator.0.bias", uniform(rnd, gen, 1 / Math.sqrt(d)));
        m.put("out_proj.weight", Linears.xavierUniform(rnd, d, outIn, DataType.DOUBLE));
        m.put("out_proj.bias", uniform(rnd, d, 1 / Math.sqrt(outIn)));
        return m;
    }

    /**
     * @param name  output variable name
     * @param x     {@code [B,N,G,P_in,C_in/G]} sampled features (e.g. from {@link Sampling3D})
     * @param query {@code [B,N,d]}
     * @return {@code [B,N,d]} = query + out_proj(mixed); B and N may be dynamic
     */
    public SDVariable forward(String name, SDVariable x, SDVariable query) {
        int g = config.nGroups(), ci = config.effInDim(), co = config.effOutDim(), pi = config.inPoints(), po = config.outPoints();
        int m = ci * co, per = config.parametersPerGroup();
        SDVariable q = sd.reshape(query, -1, config.queryDim());
        SDVariable generated = sd.reshape(Linears.apply(sd, q, params.get("parameter_generator.0.weight"),
                params.get("parameter_generator.0.bias")), -1, g, per);                                           // [BN,G,M+S]
        SDVariable mix = sd.reshape(sd.stridedSlice(generated, new long[]{0, 0, 0}, new long[]{0, 0, m}, new long[]{1, 1, 1},
                3, 3, 0, 0, 0), -1, g, ci, co);                                                                   // [BN,G,Ci,Co]
        SDVariable spatial = sd.reshape(sd.stridedSlice(generated, new long[]{0, 0, m}, new long[]{0, 0, per}, new long[]{1, 1, 1},
                3, 3, 0, 0, 0), -1, g, po, pi);                                                                   // [BN,G,Po,Pi]

        SDVariable out = sd.mmul(sd.reshape(x, -1, g, pi, ci), mix);                                             // [BN,G,Pi,Co]
        out = sd.nn.relu(layerNorm(sd, out, (long) pi * co), 0);
        out = sd.mmul(spatial, sd.reshape(out, -1, g, pi, co));                                                  // [BN,G,Po,Co]
        out = sd.nn.relu(layerNorm(sd, out, (long) po * co), 0);
        SDVariable projected = Linears.apply(sd, sd.reshape(out, -1, (long) g * po * co), params.get("out_proj.weight"),
                params.get("out_proj.bias"));                                                                     // [BN,d]
        return sd.reshape(name, q.add(projected), DynamicShapes.leading(sd, query, 2, config.queryDim()));
    }

    /**
     * {@code F.layer_norm} over the trailing elements of each group without affine parameters, written out because
     * the stock layer_norm op does not add an epsilon to the variance.
     *
     * @param size number of normalised elements per row (product of the normalised axes)
     * @return {@code [rows, size]}
     */
    static SDVariable layerNorm(SameDiff sd, SDVariable x, long size) {
        SDVariable rows = sd.reshape(x, -1, size);
        SDVariable centred = rows.sub(rows.mean(true, 1));
        SDVariable var = sd.math.square(centred).mean(true, 1);
        return centred.div(sd.math.sqrt(var.add(LN_EPS)));
    }

    /** The configuration. */
    public AdaptiveMixingConfig config() { return config; }

    /** The parameter variables by state_dict key (without prefix). */
    public Map<String, SDVariable> parameters() { return Collections.unmodifiableMap(params); }

    private static INDArray uniform(SplittableRandom rnd, int n, double bound) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (2 * rnd.nextDouble() - 1) * bound;
        return Nd4j.create(v, new long[]{n}, DataType.DOUBLE);
    }
}
