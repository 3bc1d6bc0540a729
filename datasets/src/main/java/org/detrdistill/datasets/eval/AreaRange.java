package org.detrdistill.datasets.eval;

import java.util.Objects;

/**
 * A named object-area range {@code [min, max]} in square pixels, inclusive at both ends as in pycocotools (an object
 * of area exactly {@code 32^2} is both "small" and "medium"). Ground truth is tested with its {@code area} field,
 * detections with {@code w*h}.
 *
 * @param label name used by the summary, e.g. {@code "small"}
 * @param min   lower bound (inclusive), square pixels
 * @param max   upper bound (inclusive), square pixels
 */
public record AreaRange(String label, double min, double max) {
    /** The pycocotools defaults. */
    public static final AreaRange ALL = new AreaRange("all", 0, 1e10);
    public static final AreaRange SMALL = new AreaRange("small", 0, 32 * 32);
    public static final AreaRange MEDIUM = new AreaRange("medium", 32 * 32, 96 * 96);
    public static final AreaRange LARGE = new AreaRange("large", 96 * 96, 1e10);

    public AreaRange {
        Objects.requireNonNull(label, "label");
        if (!(min <= max)) throw new IllegalArgumentException("area range '" + label + "': need min <= max, got [" + min + ", " + max + "]");
    }

    /** True when {@code area} is outside {@code [min, max]}. */
    boolean excludes(double area) {
        return area < min || area > max;
    }
}
