package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * DETR's {@code MLP}: {@code numLayers} linear layers {@code <prefix>.layers.<i>} with ReLU between them
 * (not after the last), widths {@code in -> hidden -> ... -> out}.
 */
public final class Mlp {
    private Mlp() {}

    /** With PyTorch's default initialisation of every layer. */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, long in, long hidden, long out, int numLayers) {
        return apply(p, prefix, x, in, hidden, out, numLayers, false);
    }

    /**
     * @param zeroLast initialise the last layer's weight and bias to 0 (DETR-family box heads)
     * @param x        {@code [..., in]}
     * @return {@code [..., out]}
     */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, long in, long hidden, long out,
                                   int numLayers, boolean zeroLast) {
        return apply(p, prefix, x, in, hidden, out, numLayers, zeroLast, null);
    }

    /**
     * As {@link #apply(ParamFactory, String, SDVariable, long, long, long, int, boolean)} with the weights of every
     * (non-zeroed) layer initialised by {@code weightInit} instead of PyTorch's default (e.g. Xavier-uniform, which the
     * reference transformers apply to every matrix); biases keep PyTorch's default.
     *
     * @param weightInit initialisation of the weights (seen in PyTorch layout {@code [out, in]}); null = PyTorch default
     */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, long in, long hidden, long out,
                                   int numLayers, boolean zeroLast, Init weightInit) {
        return build(p, prefix, x, in, hidden, out, numLayers, zeroLast, weightInit, false);
    }

    /**
     * As {@link #apply(ParamFactory, String, SDVariable, long, long, long, int, boolean, Init)} on a 2-D input
     * {@code x [N, in] -> [N, out]}: 2 ops per layer plus the ReLUs, no reshapes.
     */
    public static SDVariable apply2d(ParamFactory p, String prefix, SDVariable x, long in, long hidden, long out,
                                     int numLayers, boolean zeroLast, Init weightInit) {
        return build(p, prefix, x, in, hidden, out, numLayers, zeroLast, weightInit, true);
    }

    private static SDVariable build(ParamFactory p, String prefix, SDVariable x, long in, long hidden, long out,
                                    int numLayers, boolean zeroLast, Init weightInit, boolean flat) {
        if (numLayers < 1) throw new IllegalArgumentException("an MLP needs at least one layer, got " + numLayers);
        SDVariable h = x;
        long width = in;
        for (int i = 0; i < numLayers; i++) {
            boolean last = i == numLayers - 1;
            long next = last ? out : hidden;
            String name = prefix + ".layers." + i;
            Init wInit = last && zeroLast ? Init.zeros() : weightInit == null ? Init.torchDefault(width) : weightInit;
            Init bInit = last && zeroLast ? Init.zeros() : Init.torchDefault(width);
            h = flat ? Linear.apply2d(p, name, h, width, next, true, wInit, bInit)
                    : Linear.apply(p, name, h, width, next, true, wInit, bInit);
            if (!last) h = p.sd().nn.relu(h, 0);
            width = next;
        }
        return h;
    }
}
