package org.detrdistill.datasets.coco;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CategoryMapTest {

    @Test
    void nonContiguousIdsMapToContiguousLabelsInIdOrderAndBack() {
        CategoryMap map = CategoryMap.of(List.of(new CocoCategory(90, "toothbrush"), new CocoCategory(1, "person"),
                new CocoCategory(13, "stop sign")));
        assertEquals(3, map.size());
        assertEquals(0, map.labelOf(1));
        assertEquals(1, map.labelOf(13));
        assertEquals(2, map.labelOf(90));
        for (int label = 0; label < map.size(); label++) {
            assertEquals(label, map.labelOf(map.categoryIdOf(label)));
        }
        assertEquals("stop sign", map.nameOf(1));
        assertEquals(List.of(new CocoCategory(1, "person"), new CocoCategory(13, "stop sign"),
                new CocoCategory(90, "toothbrush")), map.categories());
        assertTrue(map.contains(13));
        assertFalse(map.contains(12));
        assertTrue(map.find(12).isEmpty());
    }

    @Test
    void unknownIdsAndLabelsFailWithTheValidRange() {
        CategoryMap map = CategoryMap.of(List.of(new CocoCategory(2, "a"), new CocoCategory(4, "b")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.labelOf(3));
        assertTrue(e.getMessage().contains("unknown category id 3") && e.getMessage().contains("[2, 4]"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> map.categoryIdOf(2));
        assertThrows(IndexOutOfBoundsException.class, () -> map.nameOf(-1));
    }

    @Test
    void duplicateIdsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CategoryMap.of(List.of(new CocoCategory(2, "a"), new CocoCategory(2, "b"))));
        assertTrue(e.getMessage().contains("duplicate category id 2"), e.getMessage());
    }
}
