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
        if (numLayers < 1) throw new IllegalArgumentException("an MLP needs at least one layer, got " + numLayers);
        SDVariable h = x;
        long width = in;
        for (int i = 0; i < numLayers; i++) {
            boolean last = i == numLayers - 1;
            long next = last ? out : hidden;
            String name = prefix + ".layers." + i;
            h = last && zeroLast
                    ? Linear.apply(p, name, h, width, next, true, Init.zeros(), Init.zeros())
                    : Linear.apply(p, name, h, width, next);
            if (!last) h = p.sd().nn.relu(h, 0);
            width = next;
        }
        return h;
    }
}
