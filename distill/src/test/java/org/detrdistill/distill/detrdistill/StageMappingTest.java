package org.detrdistill.distill.detrdistill;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StageMappingTest {
    @Test
    void lastTeacherStageOfEachGroup() {
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5}, StageMapping.teacherStages(6, 6));
        assertArrayEquals(new int[]{1, 3, 5}, StageMapping.teacherStages(3, 6));   // groups {0,1},{2,3},{4,5}
        assertArrayEquals(new int[]{1, 2, 4, 5}, StageMapping.teacherStages(4, 6));
        assertArrayEquals(new int[]{5}, StageMapping.teacherStages(1, 6));
        assertArrayEquals(new int[]{0, 0, 1, 1, 2, 2}, StageMapping.teacherStages(6, 3));
    }

    @Test
    void rejectsBadCounts() {
        assertThrows(IllegalArgumentException.class, () -> StageMapping.teacherStage(0, 0, 6));
        assertThrows(IllegalArgumentException.class, () -> StageMapping.teacherStage(3, 3, 6));
        assertThrows(IllegalArgumentException.class, () -> StageMapping.teacherStage(-1, 3, 6));
    }
}
