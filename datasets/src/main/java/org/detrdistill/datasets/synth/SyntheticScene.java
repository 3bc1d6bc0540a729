package org.detrdistill.datasets.synth;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;

/**
 * One rendered synthetic image with its ground truth, before JPEG encoding.
 *
 * @param width           image width (pixels)
 * @param height          image height (pixels)
 * @param rgb             pixels, packed {@code 0xRRGGBB}, row-major {@code [height * width]}
 * @param instanceMap     per pixel the index into {@code objects} of the object that is visible there (its mask,
 *                        coverage >= 50%), or -1 for background, row-major {@code [height * width]}
 * @param objects         annotated objects in painting order (later ones are in front)
 * @param background      the background kind used
 * @param droppedHidden   objects placed but then hidden completely by later ones (not annotated)
 * @param droppedNoRoom   objects skipped because no admissible position was found
 */
public record SyntheticScene(int width, int height, int[] rgb, int[] instanceMap, List<SyntheticObject> objects,
                             BackgroundKind background, int droppedHidden, int droppedNoRoom) {

    public SyntheticScene {
        if (rgb.length != width * height || instanceMap.length != width * height) {
            throw new IllegalArgumentException("rgb and instanceMap must have " + width + "*" + height + " entries");
        }
        objects = List.copyOf(objects);
    }

    /** Copy of the pixels, packed {@code 0xRRGGBB}, row-major. */
    @Override
    public int[] rgb() {
        return rgb.clone();
    }

    /** Copy of the instance map (object index or -1 per pixel), row-major. */
    @Override
    public int[] instanceMap() {
        return instanceMap.clone();
    }

    /** The pixels as a new {@link BufferedImage#TYPE_INT_RGB} image. */
    public BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(rgb, 0, dst, 0, rgb.length);
        return img;
    }
}
