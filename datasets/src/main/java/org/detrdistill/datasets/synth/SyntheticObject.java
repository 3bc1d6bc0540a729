package org.detrdistill.datasets.synth;

import java.util.Objects;

/**
 * One annotated object of a {@link SyntheticScene}, in image pixels (x right, y down, pixel {@code i} covers
 * {@code [i, i+1)}).
 *
 * @param classIndex  0-based index into {@link SyntheticCocoConfig#classes()} (COCO id via
 *                    {@link SyntheticCocoConfig#categoryId(int)})
 * @param syntheticClass the class (shape and, for colour-crossed classes, colour)
 * @param rgb         fill colour, packed {@code 0xRRGGBB}
 * @param x           left of the drawn shape's rectangle (integer pixel)
 * @param y           top of the drawn shape's rectangle
 * @param shapeWidth  width of the rectangle the shape fills (pixels)
 * @param shapeHeight height of the rectangle the shape fills
 * @param bbox        COCO box {@code [x, y, w, h]} in pixels, equal to {@code [x, y, shapeWidth, shapeHeight]}: the
 *                    shape touches all four sides, so every drawn pixel (anti-aliased fringe included) is inside and
 *                    the box is tight; occluded objects keep this full (amodal) box
 * @param fullArea    pixels of the object's mask (coverage >= 50%) before occlusion
 * @param visibleArea pixels of the mask not hidden by later objects ({@code >= 1}); the COCO {@code area}
 * @param polygon     outer contour of the shape {@code [x1,y1,x2,y2,...]} (full shape, ring hole excluded)
 */
public record SyntheticObject(int classIndex, SyntheticClass syntheticClass, int rgb, int x, int y, int shapeWidth,
                              int shapeHeight, int[] bbox, int fullArea, int visibleArea, double[] polygon) {

    public SyntheticObject {
        Objects.requireNonNull(syntheticClass, "syntheticClass");
        if (bbox == null || bbox.length != 4 || bbox[2] < 1 || bbox[3] < 1) {
            throw new IllegalArgumentException("bbox must be [x,y,w,h] with w,h >= 1");
        }
        bbox = bbox.clone();
        polygon = polygon.clone();
    }

    /** Fraction of the object's pixels that are visible, {@code visibleArea / fullArea}, in (0, 1]. */
    public double visibleFraction() {
        return (double) visibleArea / fullArea;
    }

    /** Copy of the COCO box {@code [x, y, w, h]}. */
    @Override
    public int[] bbox() {
        return bbox.clone();
    }

    /** Copy of the COCO polygon. */
    @Override
    public double[] polygon() {
        return polygon.clone();
    }

    @Override
    public String toString() {
        return syntheticClass.name() + " box [" + bbox[0] + "," + bbox[1] + "," + bbox[2] + "," + bbox[3] + "] visible "
                + visibleArea + "/" + fullArea;
    }
}
