package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code torch.nn.Linear} in SameDiff: {@code y = x Wᵀ + b}, with parameters {@code <prefix>.weight [out, in]}
 * and {@code <prefix>.bias [out]} in PyTorch layout.
 *
 * <p>Inputs of rank > 2 (or of unknown rank) are flattened to 2-D for one matrix product (DL4J's rank-3 × rank-2
 * mmul fails) and reshaped back, so {@code [B, L, in] -> [B, L, out]}. Token streams kept 2-D ({@code [B·L, E]})
 * use the {@code apply2d} methods: one matrix product and one bias add, no shape ops.
 */
public final class Linear {
    private Linear() {}

    /** A linear layer with PyTorch's default initialisation (U(±1/√in) for weight and bias). */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, long in, long out) {
        return apply(p, prefix, x, in, out, true, Init.torchDefault(in), Init.torchDefault(in));
    }

    /**
     * @param x     {@code [..., in]}
     * @param bias  whether the layer has {@code <prefix>.bias}
     * @return {@code [..., out]}
     */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, long in, long out,
                                   boolean bias, Init weightInit, Init biasInit) {
        SDVariable w = p.create(prefix + ".weight", weightInit, out, in);
        SDVariable b = bias ? p.create(prefix + ".bias", biasInit, out) : null;
        return apply(p.sd(), x, w, b, in, out);
    }

    /** A linear layer on a 2-D input {@code x [N, in] -> [N, out]}, PyTorch's default initialisation. */
    public static SDVariable apply2d(ParamFactory p, String prefix, SDVariable x, long in, long out) {
        return apply2d(p, prefix, x, in, out, true, Init.torchDefault(in), Init.torchDefault(in));
    }

    /** A linear layer on a 2-D input {@code x [N, in] -> [N, out]} (2 ops: matrix product, bias add). */
    public static SDVariable apply2d(ParamFactory p, String prefix, SDVariable x, long in, long out,
                                     boolean bias, Init weightInit, Init biasInit) {
        SDVariable w = p.create(prefix + ".weight", weightInit, out, in);
        SDVariable b = bias ? p.create(prefix + ".bias", biasInit, out) : null;
        return apply2d(p.sd(), x, w, b);
    }

    /** Applies existing parameters {@code w [out, in]} and {@code b [out]} (may be null) to a 2-D {@code x [N, in]}. */
    public static SDVariable apply2d(SameDiff sd, SDVariable x, SDVariable w, SDVariable b) {
        SDVariable y = sd.mmul(x, w, false, true, false);
        return b == null ? y : y.add(b);
    }

    /** Applies existing parameters {@code w [out, in]} and {@code b [out]} (may be null) to {@code x [..., in]}. */
    public static SDVariable apply(SameDiff sd, SDVariable x, SDVariable w, SDVariable b, long in, long out) {
        boolean flat = x.getShape() != null && x.getShape().length == 2;   // known 2-D input: no reshapes
        SDVariable x2 = flat ? x : Shapes.flatten2d(sd, x, in);
        SDVariable y = sd.mmul(x2, w, false, true, false);
        if (b != null) y = y.add(b);
        if (flat) return y;
        return in == out ? sd.reshape(y, sd.shape(x)) : Shapes.unflatten(sd, y, x, out);   // same width: x's shape
    }
}
