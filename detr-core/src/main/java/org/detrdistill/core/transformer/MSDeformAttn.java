package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.nn.Shapes;
import org.detrdistill.core.nn.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deformable DETR's multi-scale deformable attention module ({@code MSDeformAttn}, fundamentalvision/Deformable-DETR,
 * models/ops/modules/ms_deform_attn.py) as a SameDiff builder. Plain-INDArray reference: {@link MSDeformAttnReference}.
 *
 * <p>Parameters are trainable variables named {@code <prefix>.<key>} with the PyTorch state_dict keys and shapes of
 * {@link #PARAMETER_KEYS} ({@code nn.Linear} weights {@code [out, in]}), e.g. prefix
 * {@code transformer.encoder.layers.0.self_attn}; a reference checkpoint loads by name ({@code WeightLoader}).
 * Forward:
 * <ol>
 *   <li>value = value_proj(input_flatten), zeroed at padded positions, split into H heads of D = d/H channels;</li>
 *   <li>offsets = sampling_offsets(query) viewed {@code [B,Lq,H,L,P,2]}; weights = softmax over L*P of
 *       attention_weights(query) per head;</li>
 *   <li>locations = ref + offset / (W_l, H_l) for 2-d reference points, or ref_xy + offset / P · ref_wh · 0.5 for
 *       4-d reference boxes;</li>
 *   <li>{@link MSDeformAttnCore}, then output_proj.</li>
 * </ol>
 */
public final class MSDeformAttn {

    /** How the reference points are given. */
    public enum Reference {
        /** {@code [B,Lq,L,2]} normalised (x, y) per level. */
        POINTS,
        /** {@code [B,Lq,L,4]} normalised (cx, cy, w, h) per level (box refinement). */
        BOXES
    }

    /** The state_dict keys of the module, in PyTorch's order. */
    public static final List<String> PARAMETER_KEYS = List.of(
            "sampling_offsets.weight", "sampling_offsets.bias", "attention_weights.weight", "attention_weights.bias",
            "value_proj.weight", "value_proj.bias", "output_proj.weight", "output_proj.bias");

    private final SameDiff sd;
    private final String prefix;
    private final MSDeformAttnConfig config;
    private final Map<String, SDVariable> params;

    private MSDeformAttn(SameDiff sd, String prefix, MSDeformAttnConfig config, Map<String, SDVariable> params) {
        this.sd = sd;
        this.prefix = prefix;
        this.config = config;
        this.params = params;
    }

    /**
     * Creates the parameters with the reference initialisation ({@code MSDeformAttn._reset_parameters}):
     * sampling_offsets weight 0 and bias {@link #samplingOffsetGrid}; attention_weights weight and bias 0;
     * value_proj and output_proj xavier-uniform weights and zero biases.
     *
     * @param p      parameter factory (graph, data type, seed)
     * @param prefix name prefix without the trailing dot (empty: the bare keys)
     */
    public static MSDeformAttn create(ParamFactory p, String prefix, MSDeformAttnConfig config) {
        int d = config.dModel(), hlp = config.nHeads() * config.nLevels() * config.nPoints();
        Map<String, SDVariable> v = new LinkedHashMap<>();
        v.put("sampling_offsets.weight", p.create(key(prefix, "sampling_offsets.weight"), Init.zeros(), 2L * hlp, d));
        v.put("sampling_offsets.bias", p.create(key(prefix, "sampling_offsets.bias"), samplingOffsetGrid(config)));
        v.put("attention_weights.weight", p.create(key(prefix, "attention_weights.weight"), Init.zeros(), hlp, d));
        v.put("attention_weights.bias", p.create(key(prefix, "attention_weights.bias"), Init.zeros(), hlp));
        v.put("value_proj.weight", p.create(key(prefix, "value_proj.weight"), Init.xavierUniform(), d, d));
        v.put("value_proj.bias", p.create(key(prefix, "value_proj.bias"), Init.zeros(), d));
        v.put("output_proj.weight", p.create(key(prefix, "output_proj.weight"), Init.xavierUniform(), d, d));
        v.put("output_proj.bias", p.create(key(prefix, "output_proj.bias"), Init.zeros(), d));
        return new MSDeformAttn(p.sd(), prefix, config, v);
    }

    /**
     * The initial sampling_offsets bias {@code [H*L*P*2]} (layout h, l, p, xy): for head h the direction
     * (cos θ_h, sin θ_h), θ_h = 2πh/H, scaled so that its larger component has magnitude 1, times (p + 1), the same
     * for every level. DOUBLE (PyTorch computes θ in float32: differences ~1e-8).
     */
    public static INDArray samplingOffsetGrid(MSDeformAttnConfig config) {
        int h = config.nHeads(), l = config.nLevels(), p = config.nPoints();
        double[] grid = new double[h * l * p * 2];
        for (int hi = 0; hi < h; hi++) {
            double theta = hi * (2.0 * Math.PI / h);
            double cx = Math.cos(theta), cy = Math.sin(theta);
            double m = Math.max(Math.abs(cx), Math.abs(cy));
            for (int li = 0; li < l; li++) {
                for (int pi = 0; pi < p; pi++) {
                    int at = ((hi * l + li) * p + pi) * 2;
                    grid[at] = cx / m * (pi + 1);
                    grid[at + 1] = cy / m * (pi + 1);
                }
            }
        }
        return Nd4j.create(grid, new long[]{grid.length}, DataType.DOUBLE);
    }

    /**
     * Adds one attention pass. Besides the output, it names {@code name + "_value"} ({@code [B,S,H,D]}, masked),
     * {@code name + "_sampling_locations"} ({@code [B,Lq,H,L,P,2]}) and {@code name + "_attention_weights"}
     * ({@code [B,Lq,H,L,P]}).
     *
     * @param name            output variable name
     * @param query           {@code [B,Lq,d]} queries (positional embedding already added)
     * @param referencePoints {@code [B,Lq,L,2]} points or {@code [B,Lq,L,4]} boxes, normalised, as {@code kind} says
     * @param kind            2-d points or 4-d boxes
     * @param inputFlatten    {@code [B,S,d]} flattened multi-level features (the value source)
     * @param levels          spatial shapes of the L levels, S = Σ H_l*W_l, fixed when the graph is built
     * @param paddingMask     {@code [B,S]} 1 = padded position (any numeric type), or null for none
     * @return {@code [B,Lq,d]}; B and Lq may be dynamic
     */
    public SDVariable forward(String name, SDVariable query, SDVariable referencePoints, Reference kind,
                              SDVariable inputFlatten, LevelShapes levels, SDVariable paddingMask) {
        int d = config.dModel(), h = config.nHeads(), l = config.nLevels(), p = config.nPoints(), hd = config.headDim();
        if (levels.levels() != l) {
            throw new IllegalArgumentException(name + ": " + levels + " has " + levels.levels() + " levels, config n_levels is " + l);
        }
        DataType ft = params.get("value_proj.weight").dataType();
        SDVariable batch = Shapes.size(sd, query, 0), lq = Shapes.size(sd, query, 1);

        SDVariable value = Linear.apply(sd, sd.reshape(inputFlatten, -1, d), params.get("value_proj.weight"),
                params.get("value_proj.bias"), d, d);                                              // [B*S, d]
        if (paddingMask != null) value = value.mul(sd.reshape(paddingMask.castTo(ft), -1, 1).rsub(1.0));
        SDVariable value4 = sd.reshape(name + "_value", value, -1, levels.totalSize(), h, hd);    // [B,S,H,D]

        SDVariable q = sd.reshape(query, -1, d);
        SDVariable offsets = Shapes.reshape(sd, Linear.apply(sd, q, params.get("sampling_offsets.weight"),
                params.get("sampling_offsets.bias"), d, 2L * h * l * p), batch, lq, h, l, p, 2);     // [B,Lq,H,L,P,2]
        SDVariable logits = sd.reshape(Linear.apply(sd, q, params.get("attention_weights.weight"),
                params.get("attention_weights.bias"), d, (long) h * l * p), -1, (long) l * p);       // [B*Lq*H, L*P]
        SDVariable weights = sd.reshape(name + "_attention_weights", sd.nn.softmax(logits, 1),
                Shapes.of(sd, batch, lq, h, l, p));                                                // [B,Lq,H,L,P]

        SDVariable loc;
        if (kind == Reference.POINTS) {
            double[] norm = new double[l * 2];
            for (int li = 0; li < l; li++) {
                norm[2 * li] = 1.0 / levels.width(li);
                norm[2 * li + 1] = 1.0 / levels.height(li);
            }
            SDVariable invNormalizer = sd.constant(Names.scoped(sd, name + "_inv_offset_normalizer"), Nd4j.create(norm, new long[]{1, 1, 1, l, 1, 2}, ft));
            SDVariable ref = Shapes.reshape(sd, referencePoints, batch, lq, 1, l, 1, 2);
            loc = ref.add(offsets.mul(invNormalizer));
        } else {
            SDVariable ref = Shapes.reshape(sd, referencePoints, batch, lq, 1, l, 1, 4);
            SDVariable[] parts = sd.split(ref, 2, 5);                                              // xy, wh
            loc = parts[0].add(offsets.mul(parts[1]).mul(0.5 / p));
        }
        loc = sd.identity(name + "_sampling_locations", loc);

        SDVariable heads = MSDeformAttnCore.forward(sd, name + "_core", value4, levels, h, hd, p, loc, weights);
        SDVariable out = Linear.apply(sd, sd.reshape(heads, -1, d), params.get("output_proj.weight"),
                params.get("output_proj.bias"), d, d);
        return Shapes.reshape(sd, out, batch, lq, d).rename(Names.scoped(sd, name));
    }

    /** The configuration. */
    public MSDeformAttnConfig config() { return config; }

    /** The variable-name prefix (without the trailing dot). */
    public String prefix() { return prefix; }

    /** The parameter variables by state_dict key (without prefix), in {@link #PARAMETER_KEYS} order. */
    public Map<String, SDVariable> parameters() { return Collections.unmodifiableMap(params); }

    /** The trainable variable of one state_dict key (without prefix). */
    public SDVariable parameter(String key) {
        SDVariable v = params.get(key);
        if (v == null) throw new IllegalArgumentException("no parameter '" + key + "'; valid keys: " + PARAMETER_KEYS);
        return v;
    }

    /** {@code prefix + "." + key}, or {@code key} for an empty prefix. */
    static String key(String prefix, String key) {
        return prefix == null || prefix.isEmpty() ? key : prefix + "." + key;
    }
}
