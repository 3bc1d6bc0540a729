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
 * Deformable DETR's multi-scale deformable attention module ({@code MSDeformAttn}, fundamentalvision/Deformable-DETR,
 * models/ops/modules/ms_deform_attn.py) as a SameDiff builder. Plain-INDArray reference: {@link MSDeformAttnReference}.
 *
 * <p>Parameters are SameDiff variables named {@code prefix + key} with the PyTorch state_dict keys and shapes
 * ({@link #PARAMETER_KEYS}; {@code nn.Linear} weights {@code [out, in]}), so {@code prefix = "transformer.encoder.layers.0.self_attn."}
 * gives the names of the official checkpoint. Forward:
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
     * Adds the module with the reference initialisation ({@link #initialParameters}).
     *
     * @param prefix prepended to every state_dict key to name the variables (may be empty)
     * @param type   data type of the parameters (FLOAT for training, DOUBLE for checks)
     * @param seed   seed of the xavier-uniform draws
     */
    public static MSDeformAttn create(SameDiff sd, String prefix, MSDeformAttnConfig config, DataType type, long seed) {
        return load(sd, prefix, config, type, withPrefix(prefix, initialParameters(config, seed)));
    }

    /**
     * Adds the module with parameters from a state_dict.
     *
     * @param stateDict arrays by full key ({@code prefix + key}, e.g. from a checkpoint); other keys are ignored
     * @throws IllegalArgumentException naming the key when one is missing or mis-shaped
     */
    public static MSDeformAttn load(SameDiff sd, String prefix, MSDeformAttnConfig config, DataType type,
                                    Map<String, INDArray> stateDict) {
        int d = config.dModel(), hlp = config.nHeads() * config.nLevels() * config.nPoints();
        long[][] shapes = {{2L * hlp, d}, {2L * hlp}, {hlp, d}, {hlp}, {d, d}, {d}, {d, d}, {d}};
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        for (int i = 0; i < PARAMETER_KEYS.size(); i++) {
            String key = prefix + PARAMETER_KEYS.get(i);
            vars.put(PARAMETER_KEYS.get(i), sd.var(key, Linears.take(stateDict, key, type, shapes[i])));
        }
        return new MSDeformAttn(sd, prefix, config, vars);
    }

    /**
     * The reference initialisation ({@code MSDeformAttn._reset_parameters}), keys without prefix, DOUBLE:
     * sampling_offsets weight 0 and bias = per head h the direction (cos θ_h, sin θ_h), θ_h = 2πh/H, scaled so its
     * larger component has magnitude 1, times (point index + 1), the same for every level; attention_weights 0;
     * value_proj and output_proj xavier-uniform weights and zero biases.
     */
    public static Map<String, INDArray> initialParameters(MSDeformAttnConfig config, long seed) {
        int d = config.dModel(), h = config.nHeads(), l = config.nLevels(), p = config.nPoints();
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
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("sampling_offsets.weight", Nd4j.zeros(DataType.DOUBLE, 2L * h * l * p, d));
        m.put("sampling_offsets.bias", Nd4j.create(grid, new long[]{grid.length}, DataType.DOUBLE));
        m.put("attention_weights.weight", Nd4j.zeros(DataType.DOUBLE, (long) h * l * p, d));
        m.put("attention_weights.bias", Nd4j.zeros(DataType.DOUBLE, (long) h * l * p));
        m.put("value_proj.weight", Linears.xavierUniform(rnd, d, d, DataType.DOUBLE));
        m.put("value_proj.bias", Nd4j.zeros(DataType.DOUBLE, d));
        m.put("output_proj.weight", Linears.xavierUniform(rnd, d, d, DataType.DOUBLE));
        m.put("output_proj.bias", Nd4j.zeros(DataType.DOUBLE, d));
        return m;
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
     * @param levels          spatial shapes of the L levels, S = Σ H_l*W_l
     * @param paddingMask     {@code [B,S]} 1 = padded position (any numeric type), or null for none
     * @return {@code [B,Lq,d]}; B and Lq may be dynamic
     */
    public SDVariable forward(String name, SDVariable query, SDVariable referencePoints, Reference kind,
                              SDVariable inputFlatten, LevelShapes levels, SDVariable paddingMask) {
        int d = config.dModel(), h = config.nHeads(), l = config.nLevels(), p = config.nPoints();
        if (levels.levels() != l) {
            throw new IllegalArgumentException(name + ": " + levels + " has " + levels.levels() + " levels, config n_levels is " + l);
        }
        DataType ft = params.get("value_proj.weight").dataType();
        SDVariable value = Linears.apply(sd, sd.reshape(inputFlatten, -1, d), params.get("value_proj.weight"), params.get("value_proj.bias"));
        if (paddingMask != null) {
            SDVariable keep = sd.reshape(paddingMask.castTo(ft), -1, 1).rsub(1.0);
            value = value.mul(keep);
        }
        SDVariable value4 = sd.reshape(name + "_value", value, -1, levels.totalSize(), h, config.headDim());   // [B,S,H,D]

        SDVariable q = sd.reshape(query, -1, d);
        SDVariable offsets = sd.reshape(Linears.apply(sd, q, params.get("sampling_offsets.weight"), params.get("sampling_offsets.bias")),
                DynamicShapes.leading(sd, query, 2, h, l, p, 2));                                 // [B,Lq,H,L,P,2]
        SDVariable logits = sd.reshape(Linears.apply(sd, q, params.get("attention_weights.weight"), params.get("attention_weights.bias")),
                -1, (long) l * p);                                                                 // [B*Lq*H, L*P]
        SDVariable weights = sd.reshape(name + "_attention_weights", sd.nn.softmax(logits, 1),
                DynamicShapes.leading(sd, query, 2, h, l, p));                                     // [B,Lq,H,L,P]

        SDVariable loc;
        if (kind == Reference.POINTS) {
            double[] norm = new double[l * 2];
            for (int li = 0; li < l; li++) {
                norm[2 * li] = 1.0 / levels.width(li);
                norm[2 * li + 1] = 1.0 / levels.height(li);
            }
            SDVariable invNormalizer = sd.constant(name + "_inv_offset_normalizer", Nd4j.create(norm, new long[]{1, 1, 1, l, 1, 2}, ft));
            SDVariable ref = sd.reshape(referencePoints, DynamicShapes.leading(sd, query, 2, 1, l, 1, 2));
            loc = ref.add(offsets.mul(invNormalizer));
        } else {
            SDVariable ref = sd.reshape(referencePoints, DynamicShapes.leading(sd, query, 2, 1, l, 1, 4));
            SDVariable[] parts = sd.split(ref, 2, 5);                                              // xy, wh
            loc = parts[0].add(offsets.mul(parts[1]).mul(0.5 / p));
        }
        loc = sd.identity(name + "_sampling_locations", loc);

        SDVariable heads = MSDeformAttnCore.forward(sd, name + "_core", value4, levels, h, config.headDim(), p, loc, weights);
        SDVariable out = Linears.apply(sd, sd.reshape(heads, -1, d), params.get("output_proj.weight"), params.get("output_proj.bias"));
        return sd.reshape(name, out, DynamicShapes.leading(sd, query, 2, d));
    }

    /** The configuration. */
    public MSDeformAttnConfig config() { return config; }

    /** The variable-name prefix. */
    public String prefix() { return prefix; }

    /** The parameter variables by state_dict key (without prefix), in {@link #PARAMETER_KEYS} order. */
    public Map<String, SDVariable> parameters() { return Collections.unmodifiableMap(params); }

    /** The trainable variable of one state_dict key (without prefix). */
    public SDVariable parameter(String key) {
        SDVariable v = params.get(key);
        if (v == null) throw new IllegalArgumentException("no parameter '" + key + "'; valid keys: " + PARAMETER_KEYS);
        return v;
    }

    private static Map<String, INDArray> withPrefix(String prefix, Map<String, INDArray> m) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }
}
