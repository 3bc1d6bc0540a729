package org.detrdistill.core.transformer;

import org.detrdistill.core.nn.LayerNorm;
import org.detrdistill.core.nn.Names;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.MultiheadAttention;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.detrdistill.core.nn.ParamFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One AdaMixer decoder stage ({@code AdaMixerDecoderStage} of MCG-NJU/AdaMixer,
 * mmdet/models/roi_heads/bbox_heads/adamixer_decoder_stage.py) as a SameDiff builder, with its box refinement.
 * Plain-INDArray reference: {@link AdaMixerDecoderStageReference}.
 *
 * <pre>
 *   pe   = position_embedding(xyzr, d/4)                     (no gradient)
 *   bias = log(iof(decode_box(xyzr)) + 1e-7) · iof_tau[h]     (iof without gradient, tau learned per head)
 *   x    = attention_norm(c + pe + MHA(c + pe, bias))          (mmcv 1.3.3: the residual is content + pe)
 *   x    = sampling_n_mixing.norm(x + out_proj(mix(sample_3d(make_sample_points(offsets(x), xyzr)))))
 *   x    = ffn_norm(x + FFN(x))
 *   cls  = fc_cls(cls_fcs(x)),  Δ = fc_reg(reg_fcs(x)),  xyzr' = refine_xyzr(xyzr, Δ)
 * </pre>
 *
 * <p>Parameters are graph variables named {@code prefix + key}, the keys of the reference state_dict
 * ({@link #parameterKeys}), PyTorch shapes, initialised as the reference ({@link AdaMixerStageInit}).
 */
public final class AdaMixerDecoderStage {
    private final SameDiff sd;
    private final String prefix;
    private final AdaMixerStageConfig config;
    private final Map<String, SDVariable> params;
    private final AdaptiveMixing mixing;

    /**
     * What a stage computes.
     *
     * @param clsScore     {@code [B,N,C]} class logits
     * @param xyzrDelta    {@code [B,N,4]} box delta
     * @param content      {@code [B,N,d]} updated query content
     * @param refinedXyzr  {@code [B,N,4]} {@code refine_xyzr(xyzr, delta)}
     * @param intermediates by name: {@code position_embedding [B,N,d]}, {@code iof [B,N,N]},
     *                     {@code after_attention [B,N,d]}, {@code sample_points [B,N,1,G·P,3]},
     *                     {@code sampled_features [B,N,G,P,C/G]}, {@code after_sampling_mixing [B,N,d]}
     */
    public record Output(SDVariable clsScore, SDVariable xyzrDelta, SDVariable content, SDVariable refinedXyzr,
                         Map<String, SDVariable> intermediates) {}

    private AdaMixerDecoderStage(SameDiff sd, String prefix, AdaMixerStageConfig config, Map<String, SDVariable> params,
                                 AdaptiveMixing mixing) {
        this.sd = sd;
        this.prefix = prefix;
        this.config = config;
        this.params = params;
        this.mixing = mixing;
    }

    /** The state_dict keys of a stage with this configuration (without prefix), in creation order. */
    public static List<String> parameterKeys(AdaMixerStageConfig config) {
        return List.copyOf(AdaMixerStageInit.shapes(config).keySet());
    }

    /**
     * Adds the stage's parameters to the graph with the reference initialisation ({@link AdaMixerStageInit}).
     *
     * @param p      parameter factory (graph, data type, seed)
     * @param prefix name prefix without the trailing dot, e.g. {@code roi_head.bbox_head.0}; empty for the bare keys
     */
    public static AdaMixerDecoderStage create(ParamFactory p, String prefix, AdaMixerStageConfig config) {
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : AdaMixerStageInit.shapes(config).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(AdaMixerStageInit.MIXING)) {
                vars.put(key, p.create(key(prefix, key), AdaMixerStageInit.init(config, key), e.getValue()));
            }
        }
        String mixingPrefix = key(prefix, AdaMixerStageInit.MIXING.substring(0, AdaMixerStageInit.MIXING.length() - 1));
        AdaptiveMixing mixing = AdaptiveMixing.create(p, mixingPrefix, config.mixing());
        return new AdaMixerDecoderStage(p.sd(), prefix, config, vars, mixing);
    }

    /**
     * Overwrites the parameters with a state_dict's values (cast to the graph's type).
     *
     * @param stateDict values by key without prefix; every key of {@link #parameterKeys} must be present, others are ignored
     * @throws IllegalArgumentException naming the key when one is missing or mis-shaped
     */
    public void load(Map<String, INDArray> stateDict) {
        Map<String, long[]> shapes = AdaMixerStageInit.shapes(config);
        for (Map.Entry<String, SDVariable> e : parameters().entrySet()) {
            INDArray a = stateDict.get(e.getKey());
            if (a == null) throw new IllegalArgumentException("missing parameter '" + e.getKey() + "' for stage '" + prefix + "'");
            long[] expected = shapes.get(e.getKey());
            if (!java.util.Arrays.equals(a.shape(), expected)) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' must have shape " + java.util.Arrays.toString(expected)
                        + ", got " + java.util.Arrays.toString(a.shape()));
            }
            e.getValue().setArray(a.castTo(e.getValue().dataType()).dup());
        }
    }

    private static String key(String prefix, String key) {
        return prefix == null || prefix.isEmpty() ? key : prefix + "." + key;
    }

    /**
     * Runs the stage.
     *
     * @param name     prefix of the stage's named intermediates ({@code name + "/iof"} ...)
     * @param levels   (H_l, W_l) of the feature levels
     * @param features the feature levels prepared by {@link Sampling3D#prepare} with {@link AdaMixerStageConfig#sampling()}
     * @param xyzr     {@code [B,N,4]} query boxes (x, y in pixels)
     * @param content  {@code [B,N,d]} query content
     */
    public Output forward(String name, LevelShapes levels, SDVariable features, SDVariable xyzr, SDVariable content) {
        int d = config.contentDim(), h = config.numHeads();
        Map<String, SDVariable> mid = new LinkedHashMap<>();

        // self-attention with the IoF bias
        SDVariable pe = sd.identity(name + "/position_embedding", XyzrBoxes.positionEmbedding(sd, xyzr, d));
        SDVariable logIof = XyzrBoxes.logIof(sd, name, xyzr);                                              // [B,N,N]
        mid.put("position_embedding", pe);
        mid.put("iof", sd.getVariable(Names.scoped(sd, name + "_iof")));
        SDVariable bias = sd.expandDims(logIof, 1).mul(sd.reshape(p("iof_tau"), 1, h, 1, 1));            // [B,h,N,N]
        SDVariable x = content.add(pe);
        x = x.add(selfAttention(x, bias));
        x = sd.identity(name + "/after_attention", LayerNorm.apply(x, p("attention_norm.weight"), p("attention_norm.bias"), d));
        mid.put("after_attention", x);

        // adaptive 3-D sampling and mixing
        int k = config.nGroups() * config.inPoints();
        SDVariable offsets = Linear.apply(sd, x, p("sampling_n_mixing.sampling_offset_generator.0.weight"),
                p("sampling_n_mixing.sampling_offset_generator.0.bias"), d, 3L * k);
        SDVariable points = sd.identity(name + "/sample_points", XyzrBoxes.samplePoints(sd, offsets, xyzr, k));
        SDVariable sampled = sd.identity(name + "/sampled_features",
                Sampling3D.sample(sd, name + "/sampling", config.sampling(), levels, features, points));
        mid.put("sample_points", points);
        mid.put("sampled_features", sampled);
        x = mixing.forward(name + "/mixed", sampled, x);
        x = sd.identity(name + "/after_sampling_mixing",
                LayerNorm.apply(x, p("sampling_n_mixing.norm.weight"), p("sampling_n_mixing.norm.bias"), d));
        mid.put("after_sampling_mixing", x);

        // FFN
        SDVariable hidden = sd.nn.relu(Linear.apply(sd, x, p("ffn.layers.0.0.weight"), p("ffn.layers.0.0.bias"), d, config.ffnDim()), 0);
        x = x.add(Linear.apply(sd, hidden, p("ffn.layers.1.weight"), p("ffn.layers.1.bias"), config.ffnDim(), d));
        SDVariable out = sd.identity(name + "/content", LayerNorm.apply(x, p("ffn_norm.weight"), p("ffn_norm.bias"), d));

        // heads and refinement
        SDVariable cls = Linear.apply(sd, branch("cls_fcs", config.numClsFcs(), out), p("fc_cls.weight"), p("fc_cls.bias"), d, config.numClasses());
        SDVariable delta = Linear.apply(sd, branch("reg_fcs", config.numRegFcs(), out), p("fc_reg.weight"), p("fc_reg.bias"), d, 4);
        cls = sd.identity(name + "/cls_score", cls);
        delta = sd.identity(name + "/xyzr_delta", delta);
        SDVariable refined = sd.identity(name + "/refined_xyzr", XyzrBoxes.refine(sd, xyzr, delta));
        return new Output(cls, delta, out, refined, Collections.unmodifiableMap(mid));
    }

    /** mmcv's {@code MultiheadAttention} core (no residual): {@code out_proj(softmax(q·kᵀ/√d_h + bias)·v)}, q = k = v = x. */
    private SDVariable selfAttention(SDVariable x, SDVariable bias) {
        long d = config.contentDim();
        SDVariable w = p("attention.attn.in_proj_weight"), b = p("attention.attn.in_proj_bias");
        SDVariable q = Linear.apply(sd, x, rows(w, 0, d), rows(b, 0, d), d, d);
        SDVariable k = Linear.apply(sd, x, rows(w, d, 2 * d), rows(b, d, 2 * d), d, d);
        SDVariable v = Linear.apply(sd, x, rows(w, 2 * d, 3 * d), rows(b, 2 * d, 3 * d), d, d);
        int h = config.numHeads();
        SDVariable attended = MultiheadAttention.attend(sd, q, k, v, h, d / h, d / h, bias);
        return Linear.apply(sd, attended, p("attention.attn.out_proj.weight"), p("attention.attn.out_proj.bias"), d, d);
    }

    /** {@code n} × (Linear → LayerNorm → ReLU), modules {@code <base>.<3i>} and {@code <base>.<3i+1>}. */
    private SDVariable branch(String base, int n, SDVariable x) {
        long d = config.contentDim();
        for (int i = 0; i < n; i++) {
            x = Linear.apply(sd, x, p(base + "." + (3 * i) + ".weight"), p(base + "." + (3 * i) + ".bias"), d, d);
            x = sd.nn.relu(LayerNorm.apply(x, p(base + "." + (3 * i + 1) + ".weight"), p(base + "." + (3 * i + 1) + ".bias"), d), 0);
        }
        return x;
    }

    private static SDVariable rows(SDVariable x, long from, long to) {
        return x.get(SDIndex.interval(from, to));
    }

    private SDVariable p(String key) {
        SDVariable v = params.get(key);
        if (v == null) throw new IllegalStateException("no parameter " + key(prefix, key));
        return v;
    }

    public AdaMixerStageConfig config() { return config; }

    /** The name prefix of the parameters. */
    public String prefix() { return prefix; }

    /** Every parameter variable by state_dict key (without prefix), the adaptive mixing's included. */
    public Map<String, SDVariable> parameters() {
        Map<String, SDVariable> all = new LinkedHashMap<>(params);
        mixing.parameters().forEach((k, v) -> all.put(AdaMixerStageInit.MIXING + k, v));
        return Collections.unmodifiableMap(all);
    }
}
