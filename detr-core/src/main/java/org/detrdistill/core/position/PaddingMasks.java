package org.detrdistill.core.position;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Padding masks of a padded image batch and of its feature levels ({@code 1 = padded}).
 *
 * <p>DETR derives each level's mask from the image mask with
 * {@code F.interpolate(mask[None].float(), size=(h, w)).to(torch.bool)[0]}: nearest-neighbour with source index
 * {@code min(floor(dst · (in/out)), in − 1)}, computed in float32 as PyTorch's CPU kernel does
 * ({@code in == out}: identity, {@code out == 2·in}: {@code dst >> 1}).
 */
public final class PaddingMasks {
    private PaddingMasks() {}

    /**
     * The image mask of a batch padded to {@code height × width}: image b is valid on its top-left
     * {@code validHeights[b] × validWidths[b]} pixels.
     *
     * @return {@code [B,height,width]} UINT8, 1 = padded
     */
    public static INDArray imageMask(int[] validHeights, int[] validWidths, int height, int width) {
        if (validHeights.length != validWidths.length) {
            throw new IllegalArgumentException("validHeights and validWidths differ in length: " + validHeights.length
                    + " vs " + validWidths.length);
        }
        int b = validHeights.length;
        double[] m = new double[b * height * width];
        for (int i = 0; i < b; i++) {
            if (validHeights[i] < 0 || validHeights[i] > height || validWidths[i] < 0 || validWidths[i] > width) {
                throw new IllegalArgumentException("image " + i + ": valid size " + validHeights[i] + "x" + validWidths[i]
                        + " outside the padded size " + height + "x" + width);
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    m[(i * height + y) * width + x] = y < validHeights[i] && x < validWidths[i] ? 0 : 1;
                }
            }
        }
        return Nd4j.create(m, new long[] {b, height, width}, DataType.DOUBLE).castTo(DataType.UINT8);
    }

    /**
     * Nearest-neighbour downsampling (or upsampling) of a mask, as {@code F.interpolate(mode="nearest", size)}.
     *
     * @param mask {@code [B,H,W]} any type
     * @return {@code [B,height,width]} of the same type
     */
    public static INDArray resize(INDArray mask, int height, int width) {
        if (mask.rank() != 3) throw new IllegalArgumentException("mask must be [B,H,W], got " + Arrays.toString(mask.shape()));
        if (height < 1 || width < 1) throw new IllegalArgumentException("target size must be >= 1, got " + height + "x" + width);
        int b = (int) mask.size(0), h = (int) mask.size(1), w = (int) mask.size(2);
        int[] sy = sourceIndex(h, height), sx = sourceIndex(w, width);
        INDArray src = mask.castTo(DataType.DOUBLE).dup('c');
        double[] in = src.data().asDouble();
        double[] out = new double[b * height * width];
        for (int i = 0; i < b; i++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[(i * height + y) * width + x] = in[(i * h + sy[y]) * w + sx[x]];
                }
            }
        }
        return Nd4j.create(out, new long[] {b, height, width}, DataType.DOUBLE).castTo(mask.dataType());
    }

    /** PyTorch's nearest source index for each of {@code out} positions reading {@code in} positions. */
    static int[] sourceIndex(int in, int out) {
        int[] idx = new int[out];
        float scale = (float) in / (float) out;
        for (int d = 0; d < out; d++) {
            if (out == in) idx[d] = d;
            else if (out == 2 * in) idx[d] = d >> 1;
            else idx[d] = Math.min((int) Math.floor((float) d * scale), in - 1);
        }
        return idx;
    }
}
