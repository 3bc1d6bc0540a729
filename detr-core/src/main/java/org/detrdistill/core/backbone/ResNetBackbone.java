package org.detrdistill.core.backbone;

import org.detrdistill.core.internal.dl4j.DilatedConv2d;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A torchvision-style ResNet with frozen BatchNorm built into a {@link SameDiff} graph, with multi-scale outputs
 * C2..C5 (see {@link BackboneConfig} for the architecture).
 *
 * <p><b>Names.</b> Every parameter is named by its PyTorch state_dict key with the configured prefix, e.g.
 * {@code backbone.0.body.layer1.0.conv1.weight}, so a checkpoint maps by name ({@link #loadStateDict}). Conv weights
 * are {@code [kH,kW,in,out]} (YXIO; PyTorch's {@code (O,I,kh,kw)} permuted by {@code (2,3,1,0)}): trainable
 * variables, or constants in frozen stages. A frozen BN {@code <m>} is the constants {@code <m>.scale},
 * {@code <m>.shift} ({@link FrozenBatchNorm}). Outputs: {@code <prefix>C2} .. {@code <prefix>C5}.
 *
 * <p><b>Padding.</b> DL4J conv2d/maxPooling2d in {@link PaddingMode#VALID} mode with explicit {@code pH, pW} pad
 * symmetrically, as PyTorch's {@code padding=p}: conv k×k, dilation d, pad {@code d·(k−1)/2}; output size
 * {@code floor((n + 2p − d(k−1) − 1)/s) + 1}. Dilated convs (DC5) go through {@link DilatedConv2d} (the stock
 * dilated conv2d fails in FLOAT on the oneDNN build). Max-pool padding never wins (inputs are ReLU outputs ≥ 0 and every
 * window holds a real element).
 *
 * <p>Initialisation as torchvision: conv weights kaiming-normal ({@code fan_out}, ReLU gain), frozen BN with
 * weight 1, bias 0, mean 0, var 1. Arrays take the data type of the input variable (FLOAT or DOUBLE).
 */
public final class ResNetBackbone {
    private final SameDiff sd;
    private final BackboneConfig config;
    private final List<FeatureLevel> levels = new ArrayList<>();
    private final Map<String, long[]> convShapes = new LinkedHashMap<>(); // key -> PyTorch (O,I,kh,kw)
    private final List<String> trainable = new ArrayList<>();
    private final List<String> batchNorms = new ArrayList<>();
    private final Random rng;
    private final DataType dtype;

    private ResNetBackbone(SameDiff sd, BackboneConfig config, long seed, DataType dtype) {
        this.sd = sd;
        this.config = config;
        this.rng = new Random(seed);
        this.dtype = dtype;
    }

    /**
     * Adds the backbone to {@code sd}.
     *
     * @param images input {@code [B,3,H,W]} NCHW, FLOAT or DOUBLE (usually a placeholder with {@code B = -1})
     * @param seed   seed of the weight initialisation
     * @return the built backbone: outputs, parameter names, weight loading
     */
    public static ResNetBackbone build(SameDiff sd, SDVariable images, BackboneConfig config, long seed) {
        DataType t = images.dataType();
        if (t != DataType.FLOAT && t != DataType.DOUBLE) {
            throw new IllegalArgumentException("images must be FLOAT or DOUBLE, got " + t + " (" + images.name() + ")");
        }
        long[] shape = images.getShape();
        if (shape != null && (shape.length != 4 || shape[1] != 3 && shape[1] != -1)) {
            throw new IllegalArgumentException("images must be [B,3,H,W] NCHW, got " + Arrays.toString(shape)
                    + " (" + images.name() + ")");
        }
        ResNetBackbone b = new ResNetBackbone(sd, config, seed, t);
        b.buildGraph(images);
        return b;
    }

    private void buildGraph(SDVariable images) {
        String p = config.prefix();
        boolean stemFrozen = config.frozenStages() >= 0;
        SDVariable x = conv(images, p + "conv1", 3, config.stemWidth(), 7, 2, 1, stemFrozen);
        x = bn(x, p + "bn1", config.stemWidth());
        x = sd.nn().relu(p + "relu", x, 0);
        x = sd.cnn().maxPooling2d(p + "maxpool", x, Pooling2DConfig.builder().kH(3).kW(3).sH(2).sW(2).pH(1).pW(1)
                .dH(1).dW(1).paddingMode(PaddingMode.VALID).isNHWC(false).build());
        int inplanes = config.stemWidth();
        int dilation = 1;
        int[] strides = config.strides();
        int[] outC = config.outChannels();
        for (int s = 0; s < 4; s++) {
            boolean frozen = config.frozenStages() >= s + 1;
            int planes = config.widths().get(s);
            int stride = s == 0 ? 1 : 2;
            int previousDilation = dilation;
            if (s == 3 && config.dilateC5()) { // torchvision _make_layer(dilate=True)
                dilation *= stride;
                stride = 1;
            }
            int depth = config.depths().get(s);
            for (int b = 0; b < depth; b++) {
                String m = p + "layer" + (s + 1) + "." + b;
                String out = b == depth - 1 ? p + "C" + (s + 2) : m + ".out";
                int st = b == 0 ? stride : 1;
                int dil = b == 0 ? previousDilation : dilation;
                x = config.block() == BlockType.BASIC
                        ? basicBlock(x, m, out, inplanes, planes, st, frozen)
                        : bottleneck(x, m, out, inplanes, planes, st, dil, frozen);
                inplanes = planes * config.block().expansion();
            }
            levels.add(new FeatureLevel("C" + (s + 2), x, outC[s], strides[s]));
        }
    }

    private SDVariable basicBlock(SDVariable x, String m, String outName, int in, int planes, int stride, boolean frozen) {
        SDVariable y = conv(x, m + ".conv1", in, planes, 3, stride, 1, frozen);
        y = sd.nn().relu(m + ".relu1", bn(y, m + ".bn1", planes), 0);
        y = bn(conv(y, m + ".conv2", planes, planes, 3, 1, 1, frozen), m + ".bn2", planes);
        SDVariable identity = shortcut(x, m, in, planes, stride, frozen);
        return sd.nn().relu(outName, y.add(m + ".sum", identity), 0);
    }

    private SDVariable bottleneck(SDVariable x, String m, String outName, int in, int planes, int stride, int dilation,
                                  boolean frozen) {
        int out = planes * BlockType.BOTTLENECK.expansion();
        SDVariable y = sd.nn().relu(m + ".relu1", bn(conv(x, m + ".conv1", in, planes, 1, 1, 1, frozen), m + ".bn1", planes), 0);
        y = sd.nn().relu(m + ".relu2", bn(conv(y, m + ".conv2", planes, planes, 3, stride, dilation, frozen), m + ".bn2", planes), 0);
        y = bn(conv(y, m + ".conv3", planes, out, 1, 1, 1, frozen), m + ".bn3", out);
        SDVariable identity = shortcut(x, m, in, out, stride, frozen);
        return sd.nn().relu(outName, y.add(m + ".sum", identity), 0);
    }

    /** torchvision's downsample (1×1 conv with the block's stride + frozen BN) where shape changes, else identity. */
    private SDVariable shortcut(SDVariable x, String m, int in, int out, int stride, boolean frozen) {
        if (stride == 1 && in == out) return x;
        return bn(conv(x, m + ".downsample.0", in, out, 1, stride, 1, frozen), m + ".downsample.1", out);
    }

    private SDVariable conv(SDVariable x, String module, int in, int out, int k, int stride, int dilation, boolean frozen) {
        String key = module + ".weight";
        double std = Math.sqrt(2.0 / ((double) out * k * k)); // kaiming_normal_, mode fan_out, relu
        double[] w = new double[k * k * in * out];
        for (int i = 0; i < w.length; i++) w[i] = rng.nextGaussian() * std;
        INDArray init = Nd4j.create(w, new long[] {k, k, in, out}, DataType.DOUBLE).castTo(dtype);
        SDVariable wv = frozen ? sd.constant(key, init) : sd.var(key, init);
        convShapes.put(key, new long[] {out, in, k, k});
        if (!frozen) trainable.add(key);
        int pad = dilation * (k - 1) / 2;
        return DilatedConv2d.conv2d(sd, module, x, wv, in, out, k, stride, dilation, pad);
    }

    private SDVariable bn(SDVariable x, String module, int channels) {
        batchNorms.add(module);
        return FrozenBatchNorm.apply(sd, module, x, channels, config.bnEps());
    }

    /** The configuration this backbone was built from. */
    public BackboneConfig config() { return config; }

    /** The graph it was built into. */
    public SameDiff sameDiff() { return sd; }

    /** C2..C5, in order: strides 4/8/16/32 (C5 16 if dilated), channels {@link BackboneConfig#outChannels()}. */
    public List<FeatureLevel> levels() { return Collections.unmodifiableList(levels); }

    /** The level named {@code "C2"} .. {@code "C5"}. */
    public FeatureLevel level(String name) {
        for (FeatureLevel l : levels) if (l.name().equals(name)) return l;
        throw new IllegalArgumentException("no backbone level '" + name + "'; valid: C2, C3, C4, C5");
    }

    /** {@code [B, C, H/4, W/4]} output of layer1. */
    public SDVariable c2() { return levels.get(0).output(); }
    /** {@code [B, C, H/8, W/8]} output of layer2. */
    public SDVariable c3() { return levels.get(1).output(); }
    /** {@code [B, C, H/16, W/16]} output of layer3. */
    public SDVariable c4() { return levels.get(2).output(); }
    /** {@code [B, C, H/32, W/32]} (H/16 with DC5) output of layer4. */
    public SDVariable c5() { return levels.get(3).output(); }

    /** Names of all conv weights (= state_dict keys), YXIO in the graph; trainable or constant. */
    public List<String> convWeights() { return List.copyOf(convShapes.keySet()); }

    /** Names of the trainable conv weights (those outside the frozen stages). */
    public List<String> trainableWeights() { return List.copyOf(trainable); }

    /** Module names of the frozen BNs, e.g. {@code backbone.0.body.layer1.0.bn1}. */
    public List<String> frozenBatchNorms() { return List.copyOf(batchNorms); }

    /** Every PyTorch state_dict key this backbone reads (conv weights and the four buffers of each frozen BN). */
    public List<String> stateDictKeys() {
        List<String> keys = new ArrayList<>(convShapes.keySet());
        for (String bn : batchNorms) for (String buf : FrozenBatchNorm.BUFFERS) keys.add(bn + "." + buf);
        return keys;
    }

    /**
     * Loads PyTorch weights by state_dict key: conv weights {@code (O,I,kh,kw)} are permuted to YXIO, frozen-BN buffers
     * folded into scale/shift. Keys of the map that this backbone does not use are ignored (a full detector's
     * state_dict can be passed); {@code <bn>.num_batches_tracked} is accepted and ignored.
     *
     * @param stateDict key → array (float32 or float64; cast to the graph's type)
     * @return the keys of {@code stateDict} that were used
     * @throws IllegalArgumentException listing every missing key, or naming a key whose shape is wrong
     */
    public Set<String> loadStateDict(Map<String, INDArray> stateDict) {
        List<String> missing = new ArrayList<>();
        for (String k : stateDictKeys()) if (!stateDict.containsKey(k)) missing.add(k);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("state_dict lacks " + missing.size() + " backbone keys: " + missing);
        }
        Set<String> used = new LinkedHashSet<>();
        for (Map.Entry<String, long[]> e : convShapes.entrySet()) {
            INDArray w = stateDict.get(e.getKey());
            if (!Arrays.equals(w.shape(), e.getValue())) {
                throw new IllegalArgumentException(e.getKey() + ": expected PyTorch shape " + Arrays.toString(e.getValue())
                        + " (O,I,kh,kw), got " + Arrays.toString(w.shape()));
            }
            sd.getVariable(e.getKey()).setArray(w.permute(2, 3, 1, 0).castTo(dtype).dup('c'));
            used.add(e.getKey());
        }
        for (String bn : batchNorms) {
            INDArray[] b = new INDArray[4];
            for (int i = 0; i < 4; i++) {
                b[i] = stateDict.get(bn + "." + FrozenBatchNorm.BUFFERS[i]);
                used.add(bn + "." + FrozenBatchNorm.BUFFERS[i]);
            }
            FrozenBatchNorm.load(sd, bn, FrozenBatchNorm.fold(bn, b[0], b[1], b[2], b[3], config.bnEps(), dtype));
            if (stateDict.containsKey(bn + ".num_batches_tracked")) used.add(bn + ".num_batches_tracked");
        }
        return used;
    }
}
