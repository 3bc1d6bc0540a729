package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * 2-D convolution, NCHW input, YXIO weights {@code [k,k,in,out]}, PyTorch padding semantics (symmetric explicit
 * padding), with dilation that works on every backend.
 *
 * <p><b>Why.</b> With the oneDNN CPU build ({@code linux-x86_64-onednn-avx2}, the project's default backend),
 * {@code conv2d} with dilation &gt; 1 fails for FLOAT inputs in every configuration we tried ("could not create a
 * descriptor for a dilated convolution forward propagation primitive"); DOUBLE (which bypasses oneDNN) works.
 *
 * <p><b>How.</b> A dilation-{@code d} k×k kernel equals a dense {@code K×K} kernel, {@code K = d(k−1)+1}, with
 * zeros between the taps. The dense kernel is built in the graph as {@code S · W · Sᵀ} per axis, with the constant
 * 0/1 matrix {@code S [K,k]} ({@code S[d·j, j] = 1}), using only reshape/permute/rank-2 mmul (gradients verified),
 * so the gradient flows to the original {@code [k,k,in,out]} weight. The values are exact (products with 0 and 1);
 * the cost is {@code (K/k)²} times the multiply-adds of the dilated conv (2.8× for k 3, d 2). With dilation 1 this
 * is a plain {@code conv2d}.
 */
public final class DilatedConv2d {
    private DilatedConv2d() {}

    /**
     * @param name     name of the output variable
     * @param x        input {@code [B,in,H,W]} NCHW
     * @param w        weight {@code [k,k,in,out]} YXIO
     * @param in       input channels
     * @param out      output channels
     * @param k        kernel size
     * @param stride   stride (both axes)
     * @param dilation dilation (both axes), ≥ 1
     * @param pad      symmetric zero padding (both axes), as PyTorch's {@code padding}
     * @return {@code [B,out,H',W']} with {@code H' = floor((H + 2·pad − dilation·(k−1) − 1)/stride) + 1}
     */
    public static SDVariable conv2d(SameDiff sd, String name, SDVariable x, SDVariable w, int in, int out, int k,
                                    int stride, int dilation, int pad) {
        if (dilation < 1) throw new IllegalArgumentException(name + ": dilation must be >= 1, got " + dilation);
        SDVariable kernel = dilation == 1 ? w : denseKernel(sd, name, w, in, out, k, dilation);
        int kk = dilation * (k - 1) + 1;
        Conv2DConfig c = Conv2DConfig.builder().kH(kk).kW(kk).sH(stride).sW(stride).pH(pad).pW(pad).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
        return sd.cnn().conv2d(name, x, kernel, c);
    }

    /** {@code [k,k,in,out]} → {@code [K,K,in,out]} with the taps at multiples of {@code dilation}, zeros elsewhere. */
    static SDVariable denseKernel(SameDiff sd, String name, SDVariable w, int in, int out, int k, int dilation) {
        int kk = dilation * (k - 1) + 1;
        long io = (long) in * out;
        INDArray s = Nd4j.zeros(w.dataType(), kk, k);
        for (int j = 0; j < k; j++) s.putScalar(dilation * j, j, 1.0);
        SDVariable spread = sd.constant(name + ".dilation_spread", s);
        // rows: [k, k*io] -> [K, k*io]
        SDVariable a = spread.mmul(w.reshape(k, k * io)).reshape(kk, k, io);
        // columns: bring kw first, spread it, and put it back
        SDVariable b = a.permute(1, 0, 2).reshape(k, kk * io);
        SDVariable c = spread.mmul(b).reshape(kk, kk, io).permute(1, 0, 2);
        return sd.reshape(name + ".dense_kernel", c, kk, kk, in, out);
    }

    /** The same dense kernel on plain arrays (reference for tests): {@code [k,k,in,out]} → {@code [K,K,in,out]}. */
    public static INDArray denseKernel(INDArray w, int dilation) {
        long k = w.size(0);
        int kk = (int) (dilation * (k - 1) + 1);
        INDArray d = Nd4j.zeros(w.dataType(), kk, kk, w.size(2), w.size(3));
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                d.get(point(dilation * i), point(dilation * j)).assign(w.get(point(i), point(j)));
            }
        }
        return d;
    }
}
