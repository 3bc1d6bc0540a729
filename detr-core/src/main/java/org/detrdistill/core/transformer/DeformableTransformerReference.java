package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain-INDArray reference of {@link DeformableTransformer} (forward, DOUBLE), written step by step after
 * {@code DeformableTransformer.forward} of fundamentalvision/Deformable-DETR: level flattening and level embedding,
 * encoder layers, query split, reference points, decoder layers and the optional box refinement. It shares only
 * {@link MSDeformAttnReference} and {@link DeformableGeometry} with the graph; every other piece (linear layers,
 * LayerNorm, {@code nn.MultiheadAttention}, FFN, inverse sigmoid) is re-written here on arrays.
 */
public final class DeformableTransformerReference {
    private DeformableTransformerReference() {}

    /**
     * @param memory         {@code [B, S, d]}
     * @param initReference  {@code [B, Q, 2]}
     * @param hidden         per decoder layer {@code [B, Q, d]}
     * @param references     per decoder layer, the reference the layer used: {@code [B, Q, 2]} or {@code [B, Q, 4]}
     * @param refined        per decoder layer the refined boxes {@code [B, Q, 4]} (empty without refinement)
     */
    public record Result(INDArray memory, INDArray initReference, List<INDArray> hidden, List<INDArray> references,
                         List<INDArray> refined) {}

    /**
     * @param params     parameters by state_dict key relative to the transformer ({@code level_embed},
     *                   {@code encoder.layers.0.norm1.weight}, ...; with refinement {@code decoder.bbox_embed.<k>.layers.<j>.*})
     * @param srcs       per level {@code [B, d, H_l, W_l]}
     * @param masks      per level {@code [B, H_l, W_l]}, non-zero = padding
     * @param pos        per level {@code [B, d, H_l, W_l]}
     * @param queryEmbed {@code [Q, 2d]}
     * @param refine     whether {@code decoder.bbox_embed} refines the references
     */
    public static Result forward(DeformableTransformerConfig cfg, Map<String, INDArray> params, List<INDArray> srcs,
                                 List<INDArray> masks, List<INDArray> pos, INDArray queryEmbed, boolean refine) {
        int d = cfg.dModel(), l = cfg.numLevels();
        long b = srcs.get(0).size(0);
        int[] hs = new int[l], ws = new int[l];
        for (int i = 0; i < l; i++) {
            hs[i] = (int) srcs.get(i).size(2);
            ws[i] = (int) srcs.get(i).size(3);
        }
        LevelShapes levels = new LevelShapes(hs, ws);
        INDArray levelEmbed = p(params, "level_embed");
        List<INDArray> src = new ArrayList<>(), lvlPos = new ArrayList<>(), mask = new ArrayList<>();
        for (int i = 0; i < l; i++) {
            src.add(flatten(srcs.get(i)));
            INDArray flat = flatten(pos.get(i));
            lvlPos.add(flat.addi(levelEmbed.getRow(i).reshape(1, 1, d).broadcast(flat.shape())));
            mask.add(masks.get(i).castTo(DataType.DOUBLE).reshape('c', b, (long) hs[i] * ws[i]));
        }
        INDArray x = Nd4j.concat(1, src.toArray(new INDArray[0])), posFlat = Nd4j.concat(1, lvlPos.toArray(new INDArray[0]));
        INDArray maskFlat = Nd4j.concat(1, mask.toArray(new INDArray[0]));
        INDArray ratios = DeformableGeometry.validRatios(masks, DataType.DOUBLE);
        INDArray encRef = DeformableGeometry.encoderReferencePoints(levels, ratios, DataType.DOUBLE);
        for (int i = 0; i < cfg.encoderLayers(); i++) {
            String pre = "encoder.layers." + i + ".";
            INDArray a = MSDeformAttnReference.forward(cfg.encoderAttention(), sub(params, pre + "self_attn."), x.add(posFlat),
                    encRef, x, levels, maskFlat);
            x = layerNorm(x.add(a), params, pre + "norm1");
            x = ffn(x, params, pre, "norm2");
        }
        INDArray memory = x;

        long q = queryEmbed.size(0);
        INDArray posQ = queryEmbed.castTo(DataType.DOUBLE).get(NDArrayIndex.all(), NDArrayIndex.interval(0, d));
        INDArray tgtQ = queryEmbed.castTo(DataType.DOUBLE).get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d));
        INDArray queryPos = Nd4j.tile(posQ.reshape(1, q, d), (int) b, 1, 1);
        INDArray out = Nd4j.tile(tgtQ.reshape(1, q, d), (int) b, 1, 1);
        INDArray init = Transforms.sigmoid(linear(posQ, params, "reference_points"), true);
        INDArray ref = Nd4j.tile(init.reshape(1, q, 2), (int) b, 1, 1);
        INDArray initReference = ref.dup();
        List<INDArray> hidden = new ArrayList<>(), used = new ArrayList<>(), refined = new ArrayList<>();
        for (int k = 0; k < cfg.decoderLayers(); k++) {
            String pre = "decoder.layers." + k + ".";
            int rd = (int) ref.size(2);
            INDArray refInput = Nd4j.zeros(DataType.DOUBLE, b, q, l, rd);
            for (int bi = 0; bi < b; bi++) {
                for (int li = 0; li < l; li++) {
                    for (int c = 0; c < rd; c++) {
                        INDArray column = ref.get(NDArrayIndex.point(bi), NDArrayIndex.all(), NDArrayIndex.point(c));
                        refInput.get(NDArrayIndex.point(bi), NDArrayIndex.all(), NDArrayIndex.point(li), NDArrayIndex.point(c))
                                .assign(column.mul(ratios.getDouble(bi, li, c % 2)));
                    }
                }
            }
            INDArray qk = out.add(queryPos);
            INDArray t = layerNorm(out.add(multiheadAttention(qk, qk, out, params, pre + "self_attn", cfg.nHeads())), params, pre + "norm2");
            INDArray ca = MSDeformAttnReference.forward(cfg.decoderAttention(), sub(params, pre + "cross_attn."), t.add(queryPos),
                    refInput, memory, levels, maskFlat);
            t = layerNorm(t.add(ca), params, pre + "norm1");
            out = ffn(t, params, pre, "norm3");
            hidden.add(out);
            used.add(ref);
            if (refine) {
                INDArray delta = mlp(out, params, "decoder.bbox_embed." + k);
                INDArray logit = inverseSigmoid(ref);
                if (rd == 2) delta.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2)).addi(logit);
                else delta.addi(logit);
                ref = Transforms.sigmoid(delta, true);
                refined.add(ref);
            }
        }
        return new Result(memory, initReference, hidden, used, refined);
    }

    /** {@code [B, d, H, W] → [B, H·W, d]}. */
    private static INDArray flatten(INDArray x) {
        long b = x.size(0), d = x.size(1);
        return x.castTo(DataType.DOUBLE).permute(0, 2, 3, 1).dup('c').reshape('c', b, x.size(2) * x.size(3), d);
    }

    /** {@code x [..., in] W^T + b}, keeping the leading shape. */
    private static INDArray linear(INDArray x, Map<String, INDArray> params, String name) {
        INDArray w = p(params, name + ".weight"), bias = p(params, name + ".bias");
        long[] shape = x.shape().clone();
        INDArray y = x.dup('c').reshape('c', -1, shape[shape.length - 1]).mmul(w.transpose()).addiRowVector(bias);
        shape[shape.length - 1] = w.size(0);
        return y.reshape('c', shape);
    }

    private static INDArray layerNorm(INDArray x, Map<String, INDArray> params, String name) {
        long[] shape = x.shape();
        INDArray r = x.dup('c').reshape('c', -1, shape[shape.length - 1]);
        INDArray centred = r.subColumnVector(r.mean(1).reshape(-1, 1));
        INDArray var = centred.mul(centred).mean(1).reshape(-1, 1);
        INDArray y = centred.diviColumnVector(Transforms.sqrt(var.add(1e-5), true));
        return y.muliRowVector(p(params, name + ".weight")).addiRowVector(p(params, name + ".bias")).reshape('c', shape);
    }

    private static INDArray ffn(INDArray x, Map<String, INDArray> params, String pre, String norm) {
        INDArray h = Transforms.relu(linear(x, params, pre + "linear1"), true);
        return layerNorm(x.add(linear(h, params, pre + "linear2")), params, pre + norm);
    }

    private static INDArray mlp(INDArray x, Map<String, INDArray> params, String name) {
        INDArray h = Transforms.relu(linear(x, params, name + ".layers.0"), true);
        h = Transforms.relu(linear(h, params, name + ".layers.1"), true);
        return linear(h, params, name + ".layers.2");
    }

    /** {@code nn.MultiheadAttention} (batch-first view), no masks: in_proj split in q/k/v, per-head softmax attention, out_proj. */
    private static INDArray multiheadAttention(INDArray query, INDArray key, INDArray value, Map<String, INDArray> params,
                                               String name, int heads) {
        INDArray w = p(params, name + ".in_proj_weight"), bias = p(params, name + ".in_proj_bias");
        long b = query.size(0), lq = query.size(1), lk = key.size(1), e = query.size(2), dh = e / heads;
        INDArray[] proj = new INDArray[3];
        INDArray[] in = {query, key, value};
        for (int i = 0; i < 3; i++) {
            INDArray wi = w.get(NDArrayIndex.interval(i * e, (i + 1) * e), NDArrayIndex.all());
            INDArray bi = bias.get(NDArrayIndex.interval(i * e, (i + 1) * e));
            proj[i] = in[i].dup('c').reshape('c', -1, e).mmul(wi.transpose()).addiRowVector(bi).reshape('c', b, -1, e);
        }
        INDArray out = Nd4j.zeros(DataType.DOUBLE, b, lq, e);
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                INDArray qh = proj[0].get(NDArrayIndex.point(bi), NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh));
                INDArray kh = proj[1].get(NDArrayIndex.point(bi), NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh));
                INDArray vh = proj[2].get(NDArrayIndex.point(bi), NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh));
                INDArray scores = qh.mul(1.0 / Math.sqrt(dh)).mmul(kh.transpose());                  // [Lq, Lk]
                INDArray attn = Transforms.softmax(scores.reshape(lq, lk), true);
                out.get(NDArrayIndex.point(bi), NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh)).assign(attn.mmul(vh));
            }
        }
        return linear(out, params, name + ".out_proj");
    }

    /** {@code log(max(x, 1e-5) / max(1 − x, 1e-5))} after clamping x to [0, 1]. */
    private static INDArray inverseSigmoid(INDArray x) {
        INDArray c = Transforms.min(Transforms.max(x, 0.0, true), 1.0, false);
        INDArray x1 = Transforms.max(c, 1e-5, true), x2 = Transforms.max(c.rsub(1.0), 1e-5, false);
        return Transforms.log(x1.div(x2), false);
    }

    private static INDArray p(Map<String, INDArray> params, String key) {
        INDArray a = params.get(key);
        if (a == null) throw new IllegalArgumentException("missing parameter '" + key + "'");
        return a.castTo(DataType.DOUBLE);
    }

    /** The entries under {@code prefix}, with the prefix removed. */
    private static Map<String, INDArray> sub(Map<String, INDArray> params, String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }
}
