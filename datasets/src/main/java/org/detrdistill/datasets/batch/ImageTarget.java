package org.detrdistill.datasets.batch;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Objects;

/**
 * The ground truth of one image as the detectors and losses consume it.
 *
 * @param imageId    COCO image id
 * @param labels     contiguous class labels {@code [n]}, in {@code [0, numClasses)}
 * @param boxes      {@code [n,4]} cxcywh, normalised by the transformed (unpadded) image size {@code (width, height)}
 * @param height     height of the image after transforms, before padding (pixels)
 * @param width      width of the image after transforms, before padding (pixels)
 * @param origHeight height of the original image file (pixels), used to map predictions back
 * @param origWidth  width of the original image file (pixels)
 */
public record ImageTarget(long imageId, int[] labels, INDArray boxes, int height, int width, int origHeight, int origWidth) {
    public ImageTarget {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(boxes, "boxes");
        if (boxes.rank() != 2 || boxes.size(1) != 4 || boxes.size(0) != labels.length) {
            throw new IllegalArgumentException("image " + imageId + ": boxes must be [" + labels.length + ",4], got "
                    + java.util.Arrays.toString(boxes.shape()));
        }
    }

    /** Number of ground-truth objects. */
    public int size() { return labels.length; }
}
