package org.detrdistill.datasets.image;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

/**
 * A decoded image before it becomes a tensor: 8-bit, 3 channels, BGR, interleaved (HWC), held in native memory as
 * an OpenCV {@code Mat} (the representation DataVec's {@code NativeImageLoader} decodes to). Geometric transforms run
 * here, on bytes, before the (larger) float conversion: cropping and flipping are memory copies and resizing is
 * OpenCV's SIMD code, so a 640x480 JPEG resized to a 256 px shortest side costs about as much as its decoding.
 *
 * <p>Decoding matches what DETR sees through PIL's {@code Image.open(...).convert("RGB")}: grey and palette images
 * become 3 channels, alpha is dropped, 16-bit images are scaled to 8 bits, and the EXIF orientation tag is ignored.
 *
 * <p>Every operation returns a new image and leaves this one unchanged. Not thread-safe; {@link #close()} frees the
 * native memory at once (otherwise the garbage collector does).
 */
public final class DecodedImage implements AutoCloseable {
    private final Mat mat;   // CV_8UC3, continuous

    private DecodedImage(Mat mat) {
        this.mat = mat;
    }

    /**
     * Reads and decodes an image file (JPEG, PNG, BMP, TIFF, WebP: whatever OpenCV decodes).
     *
     * @param file the image file
     * @return the decoded image
     * @throws ImageDecodeException naming the file if it is missing, unreadable, empty or not a decodable image
     */
    public static DecodedImage read(Path file) throws ImageDecodeException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(file.toString(), "image file not found", e);
        } catch (IOException e) {
            throw new ImageDecodeException(file.toString(), "cannot read image file: " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /**
     * Decodes an encoded image held in memory.
     *
     * @param encoded    the file contents
     * @param sourceName name used in error messages (usually the file path)
     * @return the decoded image
     * @throws ImageDecodeException if the bytes are empty or not a decodable image
     */
    public static DecodedImage decode(byte[] encoded, String sourceName) throws ImageDecodeException {
        if (encoded.length == 0) {
            throw new ImageDecodeException(sourceName, "image file is empty", null);
        }
        try (Mat buffer = new Mat(encoded)) {
            Mat m = imdecode(buffer, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
            if (m == null || m.empty()) {
                if (m != null) {
                    m.close();
                }
                throw new ImageDecodeException(sourceName, "not a decodable image (corrupt or unsupported format, "
                        + encoded.length + " bytes)", null);
            }
            return new DecodedImage(m);
        }
    }

    /**
     * Wraps raw pixels.
     *
     * @param bgr    {@code [height*width*3]} interleaved B, G, R bytes, row-major
     * @param width  width in pixels
     * @param height height in pixels
     * @return a new image holding a copy of the pixels
     */
    public static DecodedImage fromBgr(byte[] bgr, int width, int height) {
        if (width <= 0 || height <= 0 || bgr.length != width * height * 3) {
            throw new IllegalArgumentException("bgr must have width*height*3 = " + (long) width * height * 3
                    + " bytes for " + width + "x" + height + ", got " + bgr.length);
        }
        Mat m = new Mat(height, width, CV_8UC3);
        m.data().put(bgr);
        return new DecodedImage(m);
    }

    /** Width in pixels. */
    public int width() { return open().cols(); }

    /** Height in pixels. */
    public int height() { return open().rows(); }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() { return mat.isNull(); }

    private Mat open() {
        if (mat.isNull()) {
            throw new IllegalStateException("image is closed");
        }
        return mat;
    }

    /**
     * The rectangle {@code [x, x+w) x [y, y+h)}.
     *
     * @return a new image of size {@code w x h}
     * @throws IllegalArgumentException if the rectangle is empty or not inside the image
     */
    public DecodedImage crop(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > width() || y + h > height()) {
            throw new IllegalArgumentException("crop [" + x + ", " + y + ", " + w + ", " + h + "] (x, y, w, h) is empty or "
                    + "outside the " + width() + "x" + height() + " image");
        }
        try (Rect r = new Rect(x, y, w, h); Mat view = new Mat(open(), r)) {
            return new DecodedImage(view.clone());
        }
    }

    /**
     * Resizes to {@code newWidth x newHeight}. Interpolation: when neither side grows, {@code INTER_AREA} (each output
     * pixel is the area-weighted mean of the input pixels it covers: an anti-aliased downscale, close to the
     * anti-aliased bilinear filter that PIL applies in DETR's torchvision resize); otherwise {@code INTER_LINEAR}
     * (bilinear, pixel centres at {@code (i + 0.5) * scale - 0.5}, like PyTorch {@code align_corners=False}).
     * Results are rounded to the nearest 8-bit value.
     *
     * @return a new image of the given size (a copy if the size is unchanged)
     */
    public DecodedImage resize(int newWidth, int newHeight) {
        if (newWidth <= 0 || newHeight <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + newWidth + "x" + newHeight);
        }
        if (newWidth == width() && newHeight == height()) {
            return new DecodedImage(open().clone());
        }
        boolean shrink = newWidth <= width() && newHeight <= height();
        Mat out = new Mat();
        try (Size size = new Size(newWidth, newHeight)) {
            opencv_imgproc.resize(mat, out, size, 0, 0, shrink ? INTER_AREA : INTER_LINEAR);
        }
        return new DecodedImage(out);
    }

    /** The mirror image about the vertical axis: pixel {@code (x, y)} moves to {@code (width-1-x, y)}. */
    public DecodedImage flipHorizontal() {
        Mat out = new Mat();
        flip(open(), out, 1);
        return new DecodedImage(out);
    }

    /** A copy of the pixels as {@code [height*width*3]} interleaved B, G, R bytes, row-major. */
    public byte[] toBgr() {
        byte[] out = new byte[height() * width() * 3];
        copyBgr(out);
        return out;
    }

    /** Copies the {@code height*width*3} BGR bytes into {@code dst} (which must be at least that long). */
    void copyBgr(byte[] dst) {
        BytePointer data = open().data();
        data.get(dst, 0, height() * width() * 3);
    }

    /** The underlying Mat (CV_8UC3, continuous), for conversion within this package. Do not close it. */
    Mat mat() { return open(); }

    /** Frees the native pixels; the image must not be used afterwards. Idempotent. */
    @Override
    public void close() {
        if (!mat.isNull()) {
            mat.close();
        }
    }

    @Override
    public String toString() {
        return isClosed() ? "DecodedImage[closed]" : "DecodedImage[" + width() + "x" + height() + " BGR8]";
    }
}
