package org.detrdistill.datasets.coco;

import java.util.Arrays;

/**
 * The kept annotations of a dataset in columnar primitive arrays, grouped by image (compressed-row layout): the
 * annotations of image {@code i} occupy rows {@code offsets[i] .. offsets[i+1]-1}, in file order. About 29 bytes per
 * annotation, so COCO train2017 (860k annotations) takes ~25 MB. Immutable.
 */
public final class CocoAnnotations {
    private final int[] offsets;
    private final long[] ids;
    private final int[] labels;
    private final float[] boxes;
    private final float[] areas;
    private final boolean[] crowd;

    /**
     * @param offsets {@code [numImages+1]}, non-decreasing, {@code offsets[0] = 0}, last = number of annotations
     * @param ids     annotation ids {@code [N]}
     * @param labels  contiguous labels {@code [N]}
     * @param boxes   {@code [N*4]} xywh pixels
     * @param areas   {@code [N]}
     * @param crowd   {@code [N]}
     */
    CocoAnnotations(int[] offsets, long[] ids, int[] labels, float[] boxes, float[] areas, boolean[] crowd) {
        int n = ids.length;
        if (offsets.length == 0 || offsets[0] != 0 || offsets[offsets.length - 1] != n || labels.length != n
                || boxes.length != 4 * n || areas.length != n || crowd.length != n) {
            throw new IllegalArgumentException("inconsistent annotation columns");
        }
        this.offsets = offsets;
        this.ids = ids;
        this.labels = labels;
        this.boxes = boxes;
        this.areas = areas;
        this.crowd = crowd;
    }

    /** Total number of annotations, crowd included. */
    public int size() { return ids.length; }

    /** Number of images the annotations are grouped by. */
    public int imageCount() { return offsets.length - 1; }

    /** Number of annotations of image {@code imageIndex} (crowd included). */
    public int countOf(int imageIndex) {
        checkImage(imageIndex);
        return offsets[imageIndex + 1] - offsets[imageIndex];
    }

    /**
     * The annotations of one image, copied out.
     *
     * @param imageIndex index into {@link CocoDataset#images()}
     * @return its annotations in file order
     */
    public ImageAnnotations forImage(int imageIndex) {
        checkImage(imageIndex);
        int a = offsets[imageIndex], b = offsets[imageIndex + 1];
        return new ImageAnnotations(Arrays.copyOfRange(ids, a, b), Arrays.copyOfRange(labels, a, b),
                Arrays.copyOfRange(boxes, 4 * a, 4 * b), Arrays.copyOfRange(areas, a, b), Arrays.copyOfRange(crowd, a, b));
    }

    private void checkImage(int imageIndex) {
        if (imageIndex < 0 || imageIndex >= offsets.length - 1) {
            throw new IndexOutOfBoundsException("image index " + imageIndex + " outside [0, " + (offsets.length - 1) + ")");
        }
    }
}
