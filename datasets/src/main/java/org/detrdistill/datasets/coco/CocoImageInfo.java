package org.detrdistill.datasets.coco;

import java.util.Objects;

/**
 * One entry of a COCO {@code images} array, reduced to what detection training needs.
 *
 * @param id       COCO image id
 * @param fileName file name relative to the image directory ({@code file_name})
 * @param width    image width in pixels, as declared in the JSON
 * @param height   image height in pixels, as declared in the JSON
 */
public record CocoImageInfo(long id, String fileName, int width, int height) {
    public CocoImageInfo {
        Objects.requireNonNull(fileName, "fileName");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image " + id + " (" + fileName + "): width and height must be positive, got "
                    + width + "x" + height);
        }
    }
}
