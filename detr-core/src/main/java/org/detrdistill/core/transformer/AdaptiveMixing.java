package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.LayerNorm;
import org.detrdistill.core.nn.Names;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.nn.Shapes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * <p>Parameters are trainable variables named {@code <prefix>.<key>} with the state_dict keys {@link #PARAMETER_KEYS}
 * (PyTorch shapes, {@code nn.Linear} weights {@code [out, in]}); a reference checkpoint loads by name.
 */
public final class AdaptiveMixing {

    /** The state_dict keys of the module. */
    public static final List<String> PARAMETER_KEYS = List.of(
            "parameter_generator.0.weight", "parameter_generator.0.bias", "out_proj.weight", "out_proj.bias");

    private final SameDiff sd;
    private final AdaptiveMixingConfig config;
    private final Map<String, SDVariable> params;

    private AdaptiveMixing(SameDiff sd, AdaptiveMixingConfig config, Map<String, SDVariable> params) {
        this.sd = sd;
        this.config = config;
        this.params = params;
    }

    /**
     * Creates the parameters with the initialisation AdaMixer's decoder stage gives the module: every Linear reset
     * (bias U(±1/√fan_in)) and given a xavier-uniform weight, then the parameter generator's weight zeroed
     * ({@code AdaptiveMixing.init_weights}), so at the start the mixing matrices are the generator's bias.
     *
     * @param p      parameter factory (graph, data type, seed)
     * @param prefix name prefix without the trailing dot (empty: the bare keys), e.g.
     *               {@code roi_head.bbox_head.0.sampling_n_mixing.adaptive_mixing}
     */
    public static AdaptiveMixing create(ParamFactory p, String prefix, AdaptiveMixingConfig config) {
        int d = config.queryDim(), gen = config.nGroups() * config.parametersPerGroup();
        int outIn = config.effOutDim() * config.outPoints() * config.nGroups();
        Map<String, SDVariable> v = new LinkedHashMap<>();
        v.put("parameter_generator.0.weight", p.create(MSDeformAttn.key(prefix, "parameter_generator.0.weight"), Init.zeros(), gen, d));
        v.put("parameter_generator.0.bias", p.create(MSDeformAttn.key(prefix, "parameter_generator.0.bias"), Init.torchDefault(d), gen));
        v.put("out_proj.weight", p.create(MSDeformAttn.key(prefix, "out_proj.weight"), Init.xavierUniform(), d, outIn));
        v.put("out_proj.bias", p.create(MSDeformAttn.key(prefix, "out_proj.bias"), Init.torchDefault(outIn), d));
        return new AdaptiveMixing(p.sd(), config, v);
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
        int d = config.queryDim();
        SDVariable q = sd.reshape(query, -1, d);
        SDVariable generated = sd.reshape(Linear.apply(sd, q, params.get("parameter_generator.0.weight"),
                params.get("parameter_generator.0.bias"), d, (long) g * per), -1, g, per);                        // [BN,G,M+S]
        SDVariable mix = sd.reshape(sd.stridedSlice(generated, new long[]{0, 0, 0}, new long[]{0, 0, m}, new long[]{1, 1, 1},
                3, 3, 0, 0, 0), -1, g, ci, co);                                                                   // [BN,G,Ci,Co]
        SDVariable spatial = sd.reshape(sd.stridedSlice(generated, new long[]{0, 0, m}, new long[]{0, 0, per}, new long[]{1, 1, 1},
                3, 3, 0, 0, 0), -1, g, po, pi);                                                                   // [BN,G,Po,Pi]

        SDVariable out = sd.mmul(sd.reshape(x, -1, g, pi, ci), mix);                                             // [BN,G,Pi,Co]
        out = sd.nn.relu(layerNorm(sd, out, (long) pi * co), 0);
        out = sd.mmul(spatial, sd.reshape(out, -1, g, pi, co));                                                  // [BN,G,Po,Co]
        out = sd.nn.relu(layerNorm(sd, out, (long) po * co), 0);
        SDVariable projected = Linear.apply(sd, sd.reshape(out, -1, (long) g * po * co), params.get("out_proj.weight"),
                params.get("out_proj.bias"), (long) g * po * co, d);                                             // [BN,d]
        return Shapes.reshape(sd, q.add(projected), Shapes.size(sd, query, 0), Shapes.size(sd, query, 1), d).rename(Names.scoped(sd, name));
    }

    /**
     * {@code F.layer_norm} over the trailing elements of each group without affine parameters (eps
     * {@link LayerNorm#EPS}), written out like {@link LayerNorm} because the stock layer_norm op adds no epsilon.
     *
     * @param size number of normalised elements per row (product of the normalised axes)
     * @return {@code [rows, size]}
     */
    static SDVariable layerNorm(SameDiff sd, SDVariable x, long size) {
        SDVariable rows = sd.reshape(x, -1, size);
        SDVariable centred = rows.sub(rows.mean(true, 1));
        SDVariable var = sd.math.square(centred).mean(true, 1);
        return centred.div(sd.math.sqrt(var.add(LayerNorm.EPS)));
    }

    /** The configuration. */
    public AdaptiveMixingConfig config() { return config; }

    /** The parameter variables by state_dict key (without prefix). */
    public Map<String, SDVariable> parameters() { return Collections.unmodifiableMap(params); }
}
