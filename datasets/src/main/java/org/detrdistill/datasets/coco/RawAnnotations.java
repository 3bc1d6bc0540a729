package org.detrdistill.datasets.coco;

import java.util.Arrays;

/**
 * Annotations as parsed, before validation: growable primitive columns in file order (no object per annotation,
 * ~50 bytes each). Package-private scratch space of {@link CocoInstancesReader}.
 */
final class RawAnnotations {
    int size;
    long[] ids = new long[1024];
    long[] imageIds = new long[1024];
    long[] categoryIds = new long[1024];
    float[] boxes = new float[4 * 1024];
    float[] areas = new float[1024];
    boolean[] crowd = new boolean[1024];
    int[] lines = new int[1024];

    /** Appends one annotation; {@code area} may be NaN for "absent". */
    void add(long id, long imageId, long categoryId, float x, float y, float w, float h, float area, boolean isCrowd,
             int line) {
        if (size == ids.length) {
            int cap = ids.length + (ids.length >> 1);
            ids = Arrays.copyOf(ids, cap);
            imageIds = Arrays.copyOf(imageIds, cap);
            categoryIds = Arrays.copyOf(categoryIds, cap);
            boxes = Arrays.copyOf(boxes, 4 * cap);
            areas = Arrays.copyOf(areas, cap);
            crowd = Arrays.copyOf(crowd, cap);
            lines = Arrays.copyOf(lines, cap);
        }
        ids[size] = id;
        imageIds[size] = imageId;
        categoryIds[size] = categoryId;
        boxes[4 * size] = x;
        boxes[4 * size + 1] = y;
        boxes[4 * size + 2] = w;
        boxes[4 * size + 3] = h;
        areas[size] = area;
        crowd[size] = isCrowd;
        lines[size] = line;
        size++;
    }

    /** {@code annotations[i] (id N)}, the way errors and the report name an annotation. */
    String describe(int i) {
        return "annotations[" + i + "] (id " + ids[i] + ")";
    }
}
