package org.detrdistill.core.nn;

import org.detrdistill.core.internal.dl4j.DilatedConv2d;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * {@code torch.nn.Conv2d} in SameDiff, NCHW: parameters {@code <prefix>.weight} (stored YXIO {@code [k,k,in,out]},
 * see {@link ParamFactory#createConvKernel}) and {@code <prefix>.bias [out]}; symmetric padding as PyTorch's
 * {@code padding}. Default initialisation as PyTorch's (U(±1/√(in·k²)) for weight and bias).
 */
public final class Conv2d {
    private Conv2d() {}

    /**
     * @param x {@code [B, in, H, W]}
     * @return {@code [B, out, floor((H + 2·pad − k)/stride) + 1, ...]}
     */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, int in, int out, int k, int stride, int pad,
                                   boolean bias) {
        long fanIn = (long) in * k * k;
        return apply(p, prefix, x, in, out, k, stride, pad, bias, Init.torchDefault(fanIn), Init.torchDefault(fanIn));
    }

    /** With explicit initialisation of the weight (seen in PyTorch layout) and bias. */
    public static SDVariable apply(ParamFactory p, String prefix, SDVariable x, int in, int out, int k, int stride, int pad,
                                   boolean bias, Init weightInit, Init biasInit) {
        SDVariable w = p.createConvKernel(prefix + ".weight", weightInit, out, in, k, k);
        SDVariable y = DilatedConv2d.conv2d(p.sd(), null, x, w, in, out, k, stride, 1, pad);
        if (!bias) return y;
        SDVariable b = p.create(prefix + ".bias", biasInit, out);
        return y.add(p.sd().reshape(b, 1, out, 1, 1));
    }

    /** Output size of a convolution along one axis: {@code floor((size + 2·pad − k)/stride) + 1}. */
    public static long outputSize(long size, int k, int stride, int pad) {
        return Math.floorDiv(size + 2L * pad - k, stride) + 1;
    }
}
