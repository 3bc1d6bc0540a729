package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 *   <li>adaptive mixing: {@link AdaptiveMixing#initialParameters} (zero parameter-generator weight);</li>
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

    /** The reference initialisation, keys without prefix, DOUBLE; the same seed gives the same values. */
    public static Map<String, INDArray> initialParameters(AdaMixerStageConfig c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes(c).entrySet()) {
            String key = e.getKey();
            long[] s = e.getValue();
            if (key.startsWith(MIXING)) continue;
            out.put(key, initial(c, key, s, rnd.split()));
        }
        AdaptiveMixing.initialParameters(c.mixing(), rnd.split().nextLong()).forEach((k, v) -> out.put(MIXING + k, v));
        return out;
    }

    private static INDArray initial(AdaMixerStageConfig c, String key, long[] s, SplittableRandom rnd) {
        int n = Math.toIntExact(s.length == 1 ? s[0] : s[0] * s[1]);
        double[] v = new double[n];
        if (key.equals("iof_tau")) {
            fillUniform(v, 0, 4, rnd);
        } else if (key.equals("sampling_n_mixing.sampling_offset_generator.0.bias")) {
            offsetBias(v, c.nGroups(), c.inPoints(), rnd);
        } else if (key.equals("sampling_n_mixing.sampling_offset_generator.0.weight") || key.startsWith("fc_reg.")
                || key.equals("attention.attn.in_proj_bias")) {
            // zeros
        } else if (key.equals("fc_cls.bias")) {
            java.util.Arrays.fill(v, -Math.log((1 - 0.01) / 0.01));
        } else if (isLayerNorm(key)) {
            if (key.endsWith(".weight")) java.util.Arrays.fill(v, 1.0);
        } else if (key.endsWith(".weight") || key.equals("attention.attn.in_proj_weight")) {
            double a = Math.sqrt(6.0 / (s[0] + s[1]));       // xavier uniform, fan_in = s[1], fan_out = s[0]
            fillUniform(v, -a, a, rnd);
        } else if (key.endsWith(".bias")) {
            double b = 1 / Math.sqrt(shapes(c).get(key.substring(0, key.length() - 4) + "weight")[1]);
            fillUniform(v, -b, b, rnd);
        } else {
            throw new IllegalStateException("no initialisation rule for " + key);
        }
        return Nd4j.create(v, s, DataType.DOUBLE);
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
