package org.detrdistill.datasets.coco;

import java.util.Objects;

/**
 * The kept annotations of one image, crowd ones included. Arrays are fresh copies owned by this object.
 *
 * @param ids       annotation ids {@code [n]}
 * @param labels    contiguous class labels {@code [n]} (see {@link CategoryMap})
 * @param boxesXywh boxes {@code [n*4]} as {@code x, y, w, h} in pixels of the original image, clipped to it
 * @param areas     the {@code area} field {@code [n]} (segmentation area in COCO; {@code w*h} if the field is absent)
 * @param crowd     {@code iscrowd} flags {@code [n]}
 */
public record ImageAnnotations(long[] ids, int[] labels, float[] boxesXywh, float[] areas, boolean[] crowd) {
    public ImageAnnotations {
        Objects.requireNonNull(ids, "ids");
        int n = ids.length;
        if (labels.length != n || boxesXywh.length != 4 * n || areas.length != n || crowd.length != n) {
            throw new IllegalArgumentException("inconsistent lengths: ids " + n + ", labels " + labels.length
                    + ", boxes " + boxesXywh.length + " (expected " + 4 * n + "), areas " + areas.length + ", crowd "
                    + crowd.length);
        }
    }

    /** Number of annotations (crowd included). */
    public int size() { return ids.length; }

    /** Number of non-crowd annotations, i.e. training targets. */
    public int nonCrowdCount() {
        int k = 0;
        for (boolean c : crowd) {
            if (!c) {
                k++;
            }
        }
        return k;
    }

    /**
     * The training targets' boxes: non-crowd annotations only (crowd regions are not targets, as in DETR).
     *
     * @return {@code [m*4]} as {@code x0, y0, x1, y1} in pixels of the original image, in annotation order
     */
    public float[] nonCrowdBoxesXyxy() {
        float[] out = new float[4 * nonCrowdCount()];
        int k = 0;
        for (int i = 0; i < ids.length; i++) {
            if (!crowd[i]) {
                float x = boxesXywh[4 * i], y = boxesXywh[4 * i + 1];
                out[k++] = x;
                out[k++] = y;
                out[k++] = x + boxesXywh[4 * i + 2];
                out[k++] = y + boxesXywh[4 * i + 3];
            }
        }
        return out;
    }

    /** The training targets' labels {@code [m]}: non-crowd annotations only, aligned with {@link #nonCrowdBoxesXyxy()}. */
    public int[] nonCrowdLabels() {
        int[] out = new int[nonCrowdCount()];
        int k = 0;
        for (int i = 0; i < ids.length; i++) {
            if (!crowd[i]) {
                out[k++] = labels[i];
            }
        }
        return out;
    }
}
