package org.detrdistill.datasets.synth;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The photographs bundled as resources under {@code org/detrdistill/datasets/synth/backgrounds/} (public domain and
 * CC0, see {@code LICENSES.md} there), decoded once into packed RGB arrays. Immutable after loading.
 */
final class BackgroundPhotos {

    /** Resource names of the bundled photos, in a fixed order (part of the determinism contract). */
    public static final List<String> BUNDLED = List.of("astronaut.jpg", "coffee.jpg", "chelsea.jpg");
    private static final String DIR = "backgrounds/";

    /**
     * One decoded photo.
     *
     * @param name   resource name
     * @param width  pixels
     * @param height pixels
     * @param rgb    packed {@code 0xRRGGBB}, row-major {@code [height * width]}
     */
    record Photo(String name, int width, int height, int[] rgb) {
    }

    private final List<Photo> photos;

    private BackgroundPhotos(List<Photo> photos) {
        this.photos = List.copyOf(photos);
    }

    /**
     * Loads the bundled photos from the class path.
     *
     * @throws UncheckedIOException naming the resource that is missing or cannot be decoded
     */
    public static BackgroundPhotos bundled() {
        List<Photo> out = new ArrayList<>();
        for (String name : BUNDLED) {
            String res = DIR + name;
            try (InputStream in = BackgroundPhotos.class.getResourceAsStream(res)) {
                if (in == null) {
                    throw new IOException("resource missing");
                }
                BufferedImage img = ImageIO.read(in);
                if (img == null) {
                    throw new IOException("not a decodable image");
                }
                int w = img.getWidth();
                int h = img.getHeight();
                int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
                for (int i = 0; i < rgb.length; i++) {
                    rgb[i] &= 0xFFFFFF;
                }
                out.add(new Photo(name, w, h, rgb));
            } catch (IOException e) {
                throw new UncheckedIOException("background photo " + BackgroundPhotos.class.getPackageName()
                        .replace('.', '/') + "/" + res + ": " + e.getMessage(), e);
            }
        }
        return new BackgroundPhotos(out);
    }

    /** Number of photos. */
    public int size() {
        return photos.size();
    }

    /** The photo at {@code index}; its pixel array must not be modified. */
    public Photo get(int index) {
        return photos.get(index);
    }
}
