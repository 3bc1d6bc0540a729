package org.detrdistill.datasets.coco;

import java.util.Objects;

/**
 * One entry of a COCO {@code categories} array.
 *
 * @param id   COCO category id (not necessarily contiguous: COCO 2017 uses 1..90 with gaps)
 * @param name category name
 */
public record CocoCategory(long id, String name) {
    public CocoCategory {
        Objects.requireNonNull(name, "name");
    }
}
