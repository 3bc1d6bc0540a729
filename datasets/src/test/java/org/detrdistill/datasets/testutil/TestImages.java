package org.detrdistill.datasets.testutil;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;

/** Small test images written with ImageIO. */
public final class TestImages {
    private TestImages() { }

    /**
     * Writes an image file.
     *
     * @param file   destination; the format follows the extension ({@code png} lossless, {@code jpg})
     * @param width  width
     * @param height height
     * @param rgb    pixel colour {@code 0xRRGGBB} of {@code (x, y)}
     */
    public static Path write(Path file, int width, int height, IntBinaryOperator rgb) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, rgb.applyAsInt(x, y));
            }
        }
        String name = file.getFileName().toString();
        String format = name.substring(name.lastIndexOf('.') + 1).toLowerCase().replace("jpeg", "jpg");
        try {
            if (!ImageIO.write(img, format, file.toFile())) {
                throw new IllegalArgumentException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A deterministic colourful pattern: R = 3x+y, G = x*y, B = 7y-x (mod 256). */
    public static int pattern(int x, int y) {
        int r = (3 * x + y) & 0xFF, g = (x * y) & 0xFF, b = (7 * y - x) & 0xFF;
        return (r << 16) | (g << 8) | b;
    }

    /** Interleaved BGR bytes {@code [h*w*3]} of {@link #pattern}. */
    public static byte[] patternBgr(int width, int height) {
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = pattern(x, y), i = 3 * (y * width + x);
                out[i] = (byte) (p & 0xFF);
                out[i + 1] = (byte) ((p >> 8) & 0xFF);
                out[i + 2] = (byte) ((p >> 16) & 0xFF);
            }
        }
        return out;
    }
}
