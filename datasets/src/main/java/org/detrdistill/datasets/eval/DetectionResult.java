package org.detrdistill.datasets.eval;

/**
 * One detection in COCO results format: {@code {"image_id", "category_id", "bbox": [x, y, w, h], "score"}}.
 *
 * @param imageId    COCO image id
 * @param categoryId COCO category id (the dataset's id, not a contiguous label)
 * @param x          left edge, pixels of the original image
 * @param y          top edge, pixels
 * @param width      box width w, pixels (the detection's area is {@code width * height}, as pycocotools' loadRes)
 * @param height     box height h, pixels
 * @param score      confidence; higher ranks first, ties keep the order of the results list
 */
public record DetectionResult(long imageId, int categoryId, double x, double y, double width, double height,
                              double score) {
    /** @throws IllegalArgumentException a box coordinate or the score is NaN or infinite */
    public DetectionResult {
        if (!(Double.isFinite(x) && Double.isFinite(y) && Double.isFinite(width) && Double.isFinite(height))) {
            throw new IllegalArgumentException("detection on image " + imageId + ": bbox must be finite, got ["
                    + x + ", " + y + ", " + width + ", " + height + "]");
        }
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("detection on image " + imageId + ": score must be finite, got " + score);
        }
    }

    /** The box as a new {@code [x, y, w, h]} array (pixels). */
    public double[] bbox() { return new double[] {x, y, width, height}; }

    /** {@code width * height}, the area pycocotools assigns to a result box. */
    public double area() { return width * height; }
}
