package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.model.DetectorNames;

import java.util.Arrays;
import java.util.Set;

/**
 * Which teacher decoder stage supervises each student stage (DETRDistill, METHOD §2a). With {@code L_T} teacher stages
 * and {@code L_S <= L_T} student stages, the teacher stages are split into {@code L_S} consecutive groups, group
 * {@code j} = {@code [floor(j·L_T/L_S), floor((j+1)·L_T/L_S))}, and student stage {@code j} is distilled from the last
 * teacher stage of its group, {@code floor((j+1)·L_T/L_S) − 1}. Equal depths pair stage {@code k} with stage
 * {@code k}; the last student stage always gets the last teacher stage. Examples: 6→3 gives {@code [1, 3, 5]},
 * 6→4 gives {@code [0, 2, 3, 5]}.
 *
 * <p>A student deeper than its teacher is refused: the method defines no teacher stage for the extra student stages.
 */
public final class StageGrouping {
    private final int teacherStages;
    private final int[] teacherOf;

    private StageGrouping(int teacherStages, int[] teacherOf) {
        this.teacherStages = teacherStages;
        this.teacherOf = teacherOf;
    }

    /**
     * @param teacherStages {@code L_T >= 1}
     * @param studentStages {@code 1 <= L_S <= L_T}
     * @throws IllegalArgumentException for {@code L_S > L_T} (saying why) or a count below 1
     */
    public static StageGrouping of(int teacherStages, int studentStages) {
        if (teacherStages < 1) {
            throw new IllegalArgumentException("progressive stage distillation needs a teacher with decoder stages, got "
                    + teacherStages + " (a results-file teacher gives boxes only)");
        }
        if (studentStages < 1) throw new IllegalArgumentException("the student needs >= 1 decoder stage, got " + studentStages);
        if (studentStages > teacherStages) {
            throw new IllegalArgumentException("the student has " + studentStages + " decoder stages but the teacher only "
                    + teacherStages + ": DETRDistill distills each student stage from a group of teacher stages, so the "
                    + "teacher must be at least as deep as the student");
        }
        int[] of = new int[studentStages];
        for (int j = 0; j < studentStages; j++) of[j] = (int) ((long) (j + 1) * teacherStages / studentStages) - 1;
        return new StageGrouping(teacherStages, of);
    }

    /** The teacher stage (0-based) that supervises student stage {@code j}. */
    public int teacherStage(int j) {
        if (j < 0 || j >= teacherOf.length) {
            throw new IndexOutOfBoundsException("student stage " + j + " outside [0, " + teacherOf.length + ")");
        }
        return teacherOf[j];
    }

    /** The logits and boxes of the teacher stage of each student stage, in student order, without repeats. */
    public Set<String> teacherPredictions() {
        return DetectorNames.stagePredictions(Arrays.stream(teacherOf));
    }

    /** {@code L_S}. */
    public int studentStages() { return teacherOf.length; }

    /** {@code L_T}. */
    public int teacherStages() { return teacherStages; }

    /** The teacher stage of every student stage, in student order (a copy). */
    public int[] mapping() { return teacherOf.clone(); }

    @Override public String toString() {
        return "StageGrouping[" + teacherStages + " -> " + teacherOf.length + ": " + Arrays.toString(teacherOf) + "]";
    }
}
