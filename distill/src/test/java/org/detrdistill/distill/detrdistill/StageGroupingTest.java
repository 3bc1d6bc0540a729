package org.detrdistill.distill.detrdistill;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Teacher stage groups: consecutive, the last teacher stage of each group, refusals. */
class StageGroupingTest {

    @Test
    void equalDepthsPairStageWithStage() {
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5}, StageGrouping.of(6, 6).mapping());
        assertArrayEquals(new int[]{0}, StageGrouping.of(1, 1).mapping());
    }

    @Test
    void deeperTeacherIsSplitIntoConsecutiveGroups() {
        assertArrayEquals(new int[]{1, 3, 5}, StageGrouping.of(6, 3).mapping(), "groups {0,1} {2,3} {4,5}");
        assertArrayEquals(new int[]{2, 5}, StageGrouping.of(6, 2).mapping(), "groups {0,1,2} {3,4,5}");
        assertArrayEquals(new int[]{5}, StageGrouping.of(6, 1).mapping(), "one group: the last teacher stage");
        assertArrayEquals(new int[]{0, 2, 3, 5}, StageGrouping.of(6, 4).mapping(), "groups {0} {1,2} {3} {4,5}");
        assertArrayEquals(new int[]{1, 4}, StageGrouping.of(5, 2).mapping(), "groups {0,1} {2,3,4}");
        assertArrayEquals(new int[]{1}, StageGrouping.of(2, 1).mapping());
        assertEquals(List.of("stage_2/logits", "stage_2/boxes", "stage_5/logits", "stage_5/boxes"),
                List.copyOf(StageGrouping.of(6, 2).teacherPredictions()), "the names a term reads of the teacher");
    }

    @Test
    void everyGroupIsNonEmptyAndTheLastStudentStageGetsTheLastTeacherStage() {
        for (int lt = 1; lt <= 12; lt++) {
            for (int ls = 1; ls <= lt; ls++) {
                int[] m = StageGrouping.of(lt, ls).mapping();
                assertEquals(lt - 1, m[ls - 1], lt + "->" + ls);
                assertTrue(m[0] >= 0, lt + "->" + ls);
                for (int j = 1; j < ls; j++) assertTrue(m[j] > m[j - 1], "strictly increasing " + lt + "->" + ls);
            }
        }
    }

    @Test
    void refusesAStudentDeeperThanItsTeacherSayingWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StageGrouping.of(2, 3));
        assertTrue(e.getMessage().contains("at least as deep"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> StageGrouping.of(0, 1));
        assertTrue(none.getMessage().contains("results-file teacher"), none.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> StageGrouping.of(4, 2).teacherStage(2));
    }
}
