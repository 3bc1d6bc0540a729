package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.Init;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Parameter keys, shapes and the reference initialisation of an {@link AdaMixerDecoderStage}
 * ({@code AdaMixerDecoderStage.init_weights} of MCG-NJU/AdaMixer):
 * <ul>
 *   <li>every {@code nn.Linear}: PyTorch reset (bias U(±1/√fan_in)) then a Xavier-uniform weight (this includes the
 *       attention's {@code out_proj}); the attention's {@code in_proj_weight} is Xavier-uniform, {@code in_proj_bias} 0;</li>
 *   <li>{@code fc_cls.bias} = −log((1 − 0.01)/0.01) (focal prior), {@code fc_reg} all zero;</li>
 *   <li>{@code iof_tau} U(0, 4);</li>
 *   <li>sampling offsets: weight 0; bias (viewed {@code [G, P, 3]}) U(−0.5, 0.5) in x, y, or a regular √P × √P grid
 *       in (−0.5, 0.5) when P is a square (slot 0 runs over grid rows, slot 1 over columns, as the reference), and
 *       −1 in z;</li>
 *   <li>adaptive mixing: {@link AdaptiveMixing#create} (zero parameter-generator weight);</li>
 *   <li>LayerNorms weight 1, bias 0.</li>
 * </ul>
 */
public final class AdaMixerStageInit {
    /** Key prefix of the adaptive-mixing parameters inside a stage. */
    public static final String MIXING = "sampling_n_mixing.adaptive_mixing.";

    private AdaMixerStageInit() {}

    /** Every parameter key of a stage (without prefix) and its PyTorch shape, the adaptive mixing's included. */
    public static Map<String, long[]> shapes(AdaMixerStageConfig c) {
        long d = c.contentDim(), f = c.ffnDim(), k = (long) c.nGroups() * c.inPoints();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("iof_tau", new long[]{c.numHeads()});
        m.put("attention.attn.in_proj_weight", new long[]{3 * d, d});
        m.put("attention.attn.in_proj_bias", new long[]{3 * d});
        m.put("attention.attn.out_proj.weight", new long[]{d, d});
        m.put("attention.attn.out_proj.bias", new long[]{d});
        layerNorm(m, "attention_norm", d);
        m.put("ffn.layers.0.0.weight", new long[]{f, d});
        m.put("ffn.layers.0.0.bias", new long[]{f});
        m.put("ffn.layers.1.weight", new long[]{d, f});
        m.put("ffn.layers.1.bias", new long[]{d});
        layerNorm(m, "ffn_norm", d);
        branch(m, "cls_fcs", c.numClsFcs(), d);
        m.put("fc_cls.weight", new long[]{c.numClasses(), d});
        m.put("fc_cls.bias", new long[]{c.numClasses()});
        branch(m, "reg_fcs", c.numRegFcs(), d);
        m.put("fc_reg.weight", new long[]{4, d});
        m.put("fc_reg.bias", new long[]{4});
        m.put("sampling_n_mixing.sampling_offset_generator.0.weight", new long[]{3 * k, d});
        m.put("sampling_n_mixing.sampling_offset_generator.0.bias", new long[]{3 * k});
        layerNorm(m, "sampling_n_mixing.norm", d);
        AdaptiveMixingConfig am = c.mixing();
        long gen = (long) am.nGroups() * am.parametersPerGroup();
        long outIn = (long) am.effOutDim() * am.outPoints() * am.nGroups();
        m.put(MIXING + "parameter_generator.0.weight", new long[]{gen, d});
        m.put(MIXING + "parameter_generator.0.bias", new long[]{gen});
        m.put(MIXING + "out_proj.weight", new long[]{d, outIn});
        m.put(MIXING + "out_proj.bias", new long[]{d});
        return m;
    }

    private static void layerNorm(Map<String, long[]> m, String name, long d) {
        m.put(name + ".weight", new long[]{d});
        m.put(name + ".bias", new long[]{d});
    }

    private static void branch(Map<String, long[]> m, String base, int n, long d) {
        for (int i = 0; i < n; i++) {
            m.put(base + "." + (3 * i) + ".weight", new long[]{d, d});
            m.put(base + "." + (3 * i) + ".bias", new long[]{d});
            layerNorm(m, base + "." + (3 * i + 1), d);
        }
    }

    /**
     * The reference initialisation of the parameter {@code key} (without prefix) of a stage; the adaptive-mixing keys
     * are initialised by {@link AdaptiveMixing#create}.
     *
     * @throws IllegalArgumentException for a key that is not a stage parameter
     */
    public static Init init(AdaMixerStageConfig c, String key) {
        long[] s = shapes(c).get(key);
        if (s == null || key.startsWith(MIXING)) throw new IllegalArgumentException("not a stage parameter: " + key);
        if (key.equals("iof_tau")) return Init.uniform(0, 4);
        if (key.equals("sampling_n_mixing.sampling_offset_generator.0.bias")) {
            return (out, shape, rnd) -> offsetBias(out, c.nGroups(), c.inPoints(), rnd);
        }
        if (key.equals("sampling_n_mixing.sampling_offset_generator.0.weight") || key.startsWith("fc_reg.")
                || key.equals("attention.attn.in_proj_bias")) {
            return Init.zeros();
        }
        if (key.equals("fc_cls.bias")) return Init.constant(-Math.log((1 - 0.01) / 0.01));
        if (isLayerNorm(key)) return key.endsWith(".weight") ? Init.ones() : Init.zeros();
        if (key.endsWith(".weight") || key.equals("attention.attn.in_proj_weight")) return Init.xavierUniform();
        if (key.endsWith(".bias")) return Init.torchDefault(shapes(c).get(key.substring(0, key.length() - 4) + "weight")[1]);
        throw new IllegalStateException("no initialisation rule for " + key);
    }

    private static boolean isLayerNorm(String key) {
        return key.startsWith("attention_norm.") || key.startsWith("ffn_norm.") || key.startsWith("sampling_n_mixing.norm.")
                || key.matches("(cls|reg)_fcs\\.\\d+\\..*") && Integer.parseInt(key.split("\\.")[1]) % 3 == 1;
    }

    /** The offset bias viewed {@code [G, P, 3]}: grid or U(−0.5, 0.5) in x, y; −1 in z. */
    static void offsetBias(double[] v, int groups, int points, SplittableRandom rnd) {
        int side = (int) Math.sqrt(points);
        boolean grid = side * side == points;
        if (!grid) fillUniform(v, -0.5, 0.5, rnd);
        for (int g = 0; g < groups; g++) {
            for (int p = 0; p < points; p++) {
                int at = (g * points + p) * 3;
                if (grid) {
                    v[at] = gridCoordinate(p / side, side);
                    v[at + 1] = gridCoordinate(p % side, side);
                }
                v[at + 2] = -1.0;
            }
        }
    }

    /** {@code (linspace(−0.5, 0.5, side + 1) + 0.5/side)[i]} in float32, as the reference. */
    private static double gridCoordinate(int i, int side) {
        float step = (float) (-0.5 + (double) i / side);
        return step + (float) (0.5 / side);
    }

    private static void fillUniform(double[] v, double lo, double hi, SplittableRandom rnd) {
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
    }
}
