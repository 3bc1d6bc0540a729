package org.detrdistill.core.transformer;

import org.detrdistill.core.position.FrequencyTable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain-INDArray reference of {@link AdaMixerDecoderStage} and of the xyzr functions of {@link XyzrBoxes} (forward,
 * double precision): one image and one head at a time with 2-d products, element loops for the box geometry, and
 * {@link Sampling3DReference} / {@link AdaptiveMixingReference} for sampling and mixing.
 */
public final class AdaMixerDecoderStageReference {
    private AdaMixerDecoderStageReference() {}

    /**
     * The stage's outputs and intermediates, all DOUBLE; keys as {@link AdaMixerDecoderStage.Output} plus
     * {@code cls_score}, {@code xyzr_delta}, {@code query_content_out}, {@code refined_xyzr}.
     *
     * @param params   parameters by state_dict key without prefix
     * @param features per level {@code [B,C,H_l,W_l]}
     * @param xyzr     {@code [B,N,4]}
     * @param content  {@code [B,N,d]}
     */
    public static Map<String, INDArray> forward(AdaMixerStageConfig config, Map<String, INDArray> params, List<INDArray> features,
                                                INDArray xyzr, INDArray content) {
        int d = config.contentDim(), h = config.numHeads();
        long b = content.size(0), n = content.size(1);
        if (!Arrays.equals(xyzr.shape(), new long[]{b, n, 4}) || content.rank() != 3 || content.size(2) != d) {
            throw new IllegalArgumentException("xyzr must be [B,N,4] and content [B,N," + d + "], got " + Arrays.toString(xyzr.shape())
                    + " and " + Arrays.toString(content.shape()));
        }
        xyzr = xyzr.castTo(DataType.DOUBLE);
        Map<String, INDArray> out = new LinkedHashMap<>();
        INDArray pe = positionEmbedding(xyzr, d);
        INDArray iof = iof(decodeXyxy(xyzr));
        out.put("position_embedding", pe);
        out.put("iof", iof);

        INDArray tau = param(params, "iof_tau");
        INDArray x = content.castTo(DataType.DOUBLE).add(pe);
        INDArray attended = Nd4j.zeros(DataType.DOUBLE, b, n, d);
        INDArray w = param(params, "attention.attn.in_proj_weight"), bias = param(params, "attention.attn.in_proj_bias");
        int dh = d / h;
        for (int i = 0; i < b; i++) {
            INDArray xi = x.get(NDArrayIndex.point(i)).dup();                                    // [N,d]
            INDArray qkv = xi.mmul(w.transpose()).addiRowVector(bias);                            // [N,3d]
            INDArray logIof = Transforms.log(iof.get(NDArrayIndex.point(i)).add(XyzrBoxes.LOG_EPS));
            INDArray merged = Nd4j.zeros(DataType.DOUBLE, n, d);
            for (int hd = 0; hd < h; hd++) {
                INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(hd * dh, (hd + 1) * dh)).div(Math.sqrt(dh));
                INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(d + hd * dh, d + (hd + 1) * dh));
                INDArray v = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * d + hd * dh, 2 * d + (hd + 1) * dh));
                INDArray scores = q.mmul(k.transpose()).add(logIof.mul(tau.getDouble(hd)));
                merged.get(NDArrayIndex.all(), NDArrayIndex.interval(hd * dh, (hd + 1) * dh)).assign(softmaxRows(scores).mmul(v));
            }
            attended.get(NDArrayIndex.point(i)).assign(linear(merged, params, "attention.attn.out_proj"));
        }
        x = layerNorm(x.add(attended), params, "attention_norm");
        out.put("after_attention", x);

        int k = config.nGroups() * config.inPoints();
        INDArray offsets = linear(x, params, "sampling_n_mixing.sampling_offset_generator.0");
        INDArray points = samplePoints(offsets, xyzr, k);
        INDArray sampled = Sampling3DReference.forward(config.sampling(), features, points);
        out.put("sample_points", points);
        out.put("sampled_features", sampled);
        Map<String, INDArray> mixingParams = new LinkedHashMap<>();
        for (String key : AdaptiveMixing.PARAMETER_KEYS) mixingParams.put(key, param(params, AdaMixerStageInit.MIXING + key));
        x = layerNorm(AdaptiveMixingReference.forward(config.mixing(), mixingParams, sampled, x), params, "sampling_n_mixing.norm");
        out.put("after_sampling_mixing", x);

        INDArray hidden = Transforms.relu(linear(x, params, "ffn.layers.0.0"), true);
        x = layerNorm(x.add(linear(hidden, params, "ffn.layers.1")), params, "ffn_norm");
        INDArray cls = x, reg = x;
        for (int i = 0; i < config.numClsFcs(); i++) {
            cls = Transforms.relu(layerNorm(linear(cls, params, "cls_fcs." + 3 * i), params, "cls_fcs." + (3 * i + 1)), true);
        }
        for (int i = 0; i < config.numRegFcs(); i++) {
            reg = Transforms.relu(layerNorm(linear(reg, params, "reg_fcs." + 3 * i), params, "reg_fcs." + (3 * i + 1)), true);
        }
        INDArray delta = linear(reg, params, "fc_reg");
        out.put("cls_score", linear(cls, params, "fc_cls"));
        out.put("xyzr_delta", delta);
        out.put("query_content_out", x);
        out.put("refined_xyzr", refine(xyzr, delta));
        return out;
    }

    /** {@code decode_box}: {@code [..., 4]} xyzr → xyxy. */
    public static INDArray decodeXyxy(INDArray xyzr) {
        double[] v = xyzr.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < v.length; i += 4) {
            double scale = Math.pow(2, v[i + 2]);
            double w = scale * Math.pow(2, -0.5 * v[i + 3]), h = scale * Math.pow(2, 0.5 * v[i + 3]);
            double x = v[i], y = v[i + 1];
            v[i] = x - 0.5 * w;
            v[i + 1] = y - 0.5 * h;
            v[i + 2] = x + 0.5 * w;
            v[i + 3] = y + 0.5 * h;
        }
        return Nd4j.create(v, xyzr.shape(), DataType.DOUBLE);
    }

    /** {@code bbox_overlaps(boxes, boxes, mode='iof')} per image: {@code [B,N,4]} xyxy → {@code [B,N,N]}. */
    public static INDArray iof(INDArray boxes) {
        long b = boxes.size(0), n = boxes.size(1);
        double[] v = boxes.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] out = new double[Math.toIntExact(b * n * n)];
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < n; p++) {
                int a = (int) ((i * n + p) * 4);
                double area = Math.max((v[a + 2] - v[a]) * (v[a + 3] - v[a + 1]), XyzrBoxes.IOF_EPS);
                for (int q = 0; q < n; q++) {
                    int c = (int) ((i * n + q) * 4);
                    double w = Math.max(Math.min(v[a + 2], v[c + 2]) - Math.max(v[a], v[c]), 0);
                    double h = Math.max(Math.min(v[a + 3], v[c + 3]) - Math.max(v[a + 1], v[c + 1]), 0);
                    out[(int) ((i * n + p) * n + q)] = w * h / area;
                }
            }
        }
        return Nd4j.create(out, new long[]{b, n, n}, DataType.DOUBLE);
    }

    /** {@code position_embedding(xyzr, d/4)}: {@code [B,N,4]} → {@code [B,N,d]}. */
    public static INDArray positionEmbedding(INDArray xyzr, int dim) {
        int f = dim / 4;
        double[] table = FrequencyTable.float32(f, 10000);
        double[] term = {1000, 1000, 1, 1};
        double[] v = xyzr.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int rows = v.length / 4;
        double[] out = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 4; c++) {
                double t = v[r * 4 + c] / term[c];
                for (int k = 0; k < f; k++) {
                    double a = t / table[k];
                    out[r * dim + c * f + k] = k % 2 == 0 ? Math.sin(a) : Math.cos(a);
                }
            }
        }
        return Nd4j.create(out, new long[]{xyzr.size(0), xyzr.size(1), dim}, DataType.DOUBLE);
    }

    /** {@code make_sample_points}: offsets {@code [B,N,K·3]}, xyzr {@code [B,N,4]} → {@code [B,N,1,K,3]}. */
    public static INDArray samplePoints(INDArray offsets, INDArray xyzr, int k) {
        long b = xyzr.size(0), n = xyzr.size(1);
        double[] o = offsets.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] q = xyzr.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] out = new double[o.length];
        for (int r = 0; r < b * n; r++) {
            double scale = Math.pow(2, q[r * 4 + 2]);
            double w = scale * Math.pow(2, -0.5 * q[r * 4 + 3]), h = scale * Math.pow(2, 0.5 * q[r * 4 + 3]);
            for (int p = 0; p < k; p++) {
                int at = (r * k + p) * 3;
                out[at] = q[r * 4] + o[at] * w;
                out[at + 1] = q[r * 4 + 1] + o[at + 1] * h;
                out[at + 2] = q[r * 4 + 2] + o[at + 2];
            }
        }
        return Nd4j.create(out, new long[]{b, n, 1, k, 3}, DataType.DOUBLE);
    }

    /** {@code refine_xyzr}: {@code [B,N,4]} each. */
    public static INDArray refine(INDArray xyzr, INDArray delta) {
        double[] q = xyzr.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] d = delta.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < q.length; i += 4) {
            double scale = Math.pow(2, q[i + 2]);
            q[i] += d[i] * scale;
            q[i + 1] += d[i + 1] * scale;
            q[i + 2] += d[i + 2];
            q[i + 3] += d[i + 3];
        }
        return Nd4j.create(q, xyzr.shape(), DataType.DOUBLE);
    }

    private static INDArray linear(INDArray x, Map<String, INDArray> params, String name) {
        INDArray w = param(params, name + ".weight");
        long[] s = x.shape();
        INDArray y = x.reshape('c', -1, s[s.length - 1]).mmul(w.transpose()).addiRowVector(param(params, name + ".bias"));
        long[] t = s.clone();
        t[t.length - 1] = w.size(0);
        return y.reshape('c', t);
    }

    private static INDArray layerNorm(INDArray x, Map<String, INDArray> params, String name) {
        long[] s = x.shape();
        INDArray rows = x.reshape('c', -1, s[s.length - 1]).dup();
        INDArray centred = rows.subColumnVector(rows.mean(1).reshape(-1, 1));
        INDArray std = Transforms.sqrt(centred.mul(centred).mean(1).add(1e-5)).reshape(-1, 1);
        return centred.divColumnVector(std).mulRowVector(param(params, name + ".weight"))
                .addiRowVector(param(params, name + ".bias")).reshape('c', s);
    }

    private static INDArray softmaxRows(INDArray s) {
        INDArray e = Transforms.exp(s.subColumnVector(s.max(1).reshape(-1, 1)));
        return e.divColumnVector(e.sum(1).reshape(-1, 1));
    }

    private static INDArray param(Map<String, INDArray> params, String key) {
        INDArray a = params.get(key);
        if (a == null) throw new IllegalArgumentException("missing parameter '" + key + "' (have " + params.keySet() + ")");
        return a.castTo(DataType.DOUBLE);
    }
}
