package org.detrdistill.datasets.image;

import org.bytedeco.javacpp.BytePointer;
import org.datavec.image.loader.NativeImageLoader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Conversion of a {@link DecodedImage} into the network's input layout: float, channels first, RGB, normalised.
 *
 * <p>Two implementations of the same mapping {@code out[c,y,x] = (bgr[y,x,2-c] / 255 - mean[c]) / std[c]}:
 * <ul>
 *   <li>{@link #toTensor} goes through DataVec: {@code NativeImageLoader.asMatrix} gives {@code [1,3,H,W]} BGR floats
 *       0..255, then channels are reversed and normalised with ND4J ops. The reference.</li>
 *   <li>{@link #writeChw} writes straight from the 8-bit pixels into a caller's float buffer at any offset and row
 *       stride, so a batch collator fills its padded {@code [B,3,Hmax,Wmax]} buffer in one pass with no intermediate
 *       arrays. The fast path used by the batch iterator; tested equal to the reference.</li>
 * </ul>
 * Both compute {@code v * scale + offset} in float with {@code scale = 1/(255 std)}, {@code offset = -mean/std};
 * they agree to within float rounding (a few ulp).
 */
public final class ImageTensors {
    private ImageTensors() { }

    /**
     * The image as a tensor, through DataVec's {@code NativeImageLoader}.
     *
     * @param image         the image
     * @param normalization per-channel mean/std
     * @return {@code [1,3,H,W]} FLOAT, RGB, normalised
     */
    public static INDArray toTensor(DecodedImage image, Normalization normalization) {
        INDArray bgr;
        try {
            bgr = new NativeImageLoader().asMatrix(image.mat());
        } catch (IOException e) {
            throw new UncheckedIOException("NativeImageLoader could not convert " + image, e);
        }
        INDArray out = Nd4j.create(DataType.FLOAT, 1, 3, image.height(), image.width());
        for (int c = 0; c < 3; c++) {
            INDArray src = bgr.get(NDArrayIndex.all(), NDArrayIndex.point(2 - c), NDArrayIndex.all(), NDArrayIndex.all());
            out.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(src.castTo(DataType.FLOAT)).muli(normalization.scale(c)).addi(normalization.offset(c));
        }
        return out;
    }

    /**
     * Writes the image, RGB and normalised, channels first, into {@code dst} at the top-left of a larger plane:
     * {@code dst[offset + c*planeStride + y*rowStride + x]} for {@code c < 3, y < height, x < width}. Elements outside
     * the image (padding) are not touched.
     *
     * @param image         the image
     * @param normalization per-channel mean/std
     * @param dst           destination buffer, e.g. a {@code [B,3,Hmax,Wmax]} batch in row-major order
     * @param offset        index of element {@code (c=0, y=0, x=0)}
     * @param planeStride   distance between channels, e.g. {@code Hmax*Wmax}; at least {@code rowStride * height}
     * @param rowStride     distance between rows, e.g. {@code Wmax}; at least {@code width}
     */
    public static void writeChw(DecodedImage image, Normalization normalization, float[] dst, int offset,
                                int planeStride, int rowStride) {
        int w = image.width(), h = image.height();
        if (rowStride < w || planeStride < rowStride * h || offset < 0
                || (long) offset + 2L * planeStride + (long) (h - 1) * rowStride + w > dst.length) {
            throw new IllegalArgumentException("destination too small for a " + w + "x" + h + " image: offset " + offset
                    + ", planeStride " + planeStride + ", rowStride " + rowStride + ", length " + dst.length);
        }
        byte[] row = new byte[w * 3];
        float[] scale = {normalization.scale(0), normalization.scale(1), normalization.scale(2)};
        float[] shift = {normalization.offset(0), normalization.offset(1), normalization.offset(2)};
        BytePointer data = image.mat().data();
        for (int y = 0; y < h; y++) {
            data.position((long) y * w * 3).get(row, 0, w * 3);
            for (int c = 0; c < 3; c++) {
                int base = offset + c * planeStride + y * rowStride;
                int src = 2 - c;   // BGR -> RGB
                float s = scale[c], t = shift[c];
                for (int x = 0; x < w; x++) {
                    dst[base + x] = (row[3 * x + src] & 0xFF) * s + t;
                }
            }
        }
        data.position(0);
    }
}
