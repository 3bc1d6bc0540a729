package org.detrdistill.datasets.image;

import java.util.Objects;

/**
 * One image with its training targets, as it flows through {@link DetectionTransform}s.
 *
 * @param imageId    COCO image id
 * @param image      the current (transformed) image
 * @param boxes      {@code [n*4]} boxes as {@code x0, y0, x1, y1} in pixels of the current image
 * @param labels     {@code [n]} contiguous class labels
 * @param origWidth  width of the image file before any transform (pixels)
 * @param origHeight height of the image file before any transform (pixels)
 */
public record DetectionSample(long imageId, DecodedImage image, float[] boxes, int[] labels, int origWidth,
                              int origHeight) {
    public DetectionSample {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(boxes, "boxes");
        Objects.requireNonNull(labels, "labels");
        if (boxes.length != 4 * labels.length) {
            throw new IllegalArgumentException("image " + imageId + ": boxes must have 4 values per label ("
                    + 4 * labels.length + "), got " + boxes.length);
        }
    }

    /** Number of objects. */
    public int size() { return labels.length; }

    /** A sample with the same identity and {@code image}, {@code boxes}, {@code labels} replaced. */
    public DetectionSample with(DecodedImage newImage, float[] newBoxes, int[] newLabels) {
        return new DetectionSample(imageId, newImage, newBoxes, newLabels, origWidth, origHeight);
    }
}
