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
        if (numLayers < 1) throw new IllegalArgumentException("an MLP needs at least one layer, got " + numLayers);
        SDVariable h = x;
        long width = in;
        for (int i = 0; i < numLayers; i++) {
            boolean last = i == numLayers - 1;
            long next = last ? out : hidden;
            String name = prefix + ".layers." + i;
            h = last && zeroLast
                    ? Linear.apply(p, name, h, width, next, true, Init.zeros(), Init.zeros())
                    : weightInit == null ? Linear.apply(p, name, h, width, next)
                    : Linear.apply(p, name, h, width, next, true, weightInit, Init.torchDefault(width));
            if (!last) h = p.sd().nn.relu(h, 0);
            width = next;
        }
        return h;
    }
}
