package org.detrdistill.distill.detrdistill;

/**
 * Which teacher decoder stage distills which student stage (METHOD §2a, "stage mismatch"): the {@code L_T} teacher
 * stages are split into {@code L_S} consecutive groups and student stage {@code j} is distilled from the last teacher
 * stage of group {@code j}: {@code t(j) = ceil((j+1)·L_T / L_S) − 1}. Equal counts give {@code t(j) = j}; the last
 * student stage always meets the last teacher stage. With {@code L_S > L_T} the same formula repeats teacher stages
 * (e.g. {@code L_S = 6, L_T = 3}: 0,0,1,1,2,2).
 */
public final class StageMapping {
    private StageMapping() {}

    /**
     * @param studentStage  {@code j}, in {@code [0, studentStages)}
     * @param studentStages {@code L_S >= 1}
     * @param teacherStages {@code L_T >= 1}
     * @return the teacher stage {@code t(j)} in {@code [0, L_T)}
     * @throws IllegalArgumentException on counts below 1 or a stage out of range
     */
    public static int teacherStage(int studentStage, int studentStages, int teacherStages) {
        if (studentStages < 1 || teacherStages < 1) {
            throw new IllegalArgumentException("stage counts must be >= 1, got student " + studentStages + ", teacher "
                    + teacherStages);
        }
        if (studentStage < 0 || studentStage >= studentStages) {
            throw new IllegalArgumentException("student stage " + studentStage + " outside [0, " + studentStages + ")");
        }
        long num = (long) (studentStage + 1) * teacherStages;
        return (int) ((num + studentStages - 1) / studentStages) - 1;
    }

    /** {@code t(j)} for every student stage {@code j}. */
    public static int[] teacherStages(int studentStages, int teacherStages) {
        int[] out = new int[studentStages];
        for (int j = 0; j < studentStages; j++) out[j] = teacherStage(j, studentStages, teacherStages);
        return out;
    }
}
