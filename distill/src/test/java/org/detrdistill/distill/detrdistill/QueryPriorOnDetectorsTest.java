package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.QueryGroup;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.TinyDetectors;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.GradientClipper;
import org.detrdistill.core.train.GradientStep;
import org.detrdistill.core.train.LrSchedule;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.DistillTerm;
import org.detrdistill.distill.DistillTermRegistry;
import org.detrdistill.distill.DistillationObjective;
import org.detrdistill.distill.TeacherLoader;
import org.detrdistill.distill.TeacherOutputs;
import org.detrdistill.distill.TermContext;
import org.detrdistill.distill.TermOptions;
import org.detrdistill.distill.teacher.NativeTeacher;
import org.detrdistill.distill.testutil.TinyTeachers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code kd_assign} on each variant, created through the registry like a configuration would: a native teacher of the
 * same variant, wider (24 vs 16: adapters), deeper (3 vs 2 stages) and with more queries (5 vs 4) than the student.
 * The student graph gets the query group only when the term is built; its own predictions are unchanged; the term is
 * finite and falls over a few training steps (detection + kd_assign) on one tiny batch; a teacher that gives no
 * assignment is matched by the term to the same targets.
 */
class QueryPriorOnDetectorsTest {
    private static final int QT = TinyTeachers.QUERIES, Q = 4;

    static NativeTeacher teacher(Variant variant) {
        return TinyTeachers.wider(variant);
    }

    static DistillTerm kdAssign(DetectorGraph student, NativeTeacher teacher) {
        TermContext ctx = new TermContext(student, teacher, new TeacherLoader(null, MatcherConfig.deformableDetr()),
                MatcherConfig.deformableDetr());
        return DistillTermRegistry.standard().entry(QueryPriorAssignmentDistillation.NAME).factory()
                .create(TermOptions.empty("terms.kd_assign"), ctx);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void theGroupTrainsTowardsTheTeachersAssignment(Variant variant) {
        NativeTeacher teacher = teacher(variant);
        DetectorGraph student = Detectors.build(TinyDetectors.config(variant, 16, 2, Q), DataType.FLOAT, 5);
        DetectionBatch batch = TinyDetectors.batch(DataType.FLOAT, 9);
        Map<String, INDArray> ownBefore = student.sameDiff().output(student.feeds(batch.images(), batch.mask()), DetectorNames.LOGITS);

        DetectionObjective detection = new DetectionObjective(student);
        assertTrue(student.queryGroups().isEmpty(), "no group without the term");
        DistillTerm term = kdAssign(student, teacher);
        DistillationObjective objective = new DistillationObjective(detection, teacher, List.of(term), Map.of());
        QueryGroup g = student.queryGroups().get(DetectorNames.QUERY_PRIOR);
        assertEquals(QT, g.numQueries());
        assertEquals(List.of("kd_assign_0", "kd_assign_1"), objective.termNames().subList(objective.termNames().size() - 2,
                objective.termNames().size()));
        int parts = variant == Variant.DEFORMABLE_DETR ? 2 : 1;
        for (int p = 0; p < parts; p++) {
            assertArrayEquals(new long[]{16, 24}, student.sameDiff().getArrForVarName("kd_assign.adapter." + p + ".weight").shape());
        }
        assertFalse(student.sameDiff().hasVariable("kd_assign.adapter." + parts + ".weight"));
        INDArray ownAfter = student.sameDiff().output(student.feeds(batch.images(), batch.mask()), DetectorNames.LOGITS).get(DetectorNames.LOGITS);
        assertEquals(ownBefore.get(DetectorNames.LOGITS), ownAfter, "the student's own predictions are unchanged by the group");

        // the same targets when the teacher gives no assignment and the term matches its predictions itself
        TeacherOutputs full = teacher.run(batch);
        TeacherOutputs bare = new TeacherOutputs(full.arrays(), List.of(), full.boxes(), full.scores(), full.labels());
        Map<String, INDArray> a = term.feeds(new DistillContext(batch, full, Map.of(), 0));
        Map<String, INDArray> b = term.feeds(new DistillContext(batch, bare, Map.of(), 0));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertEquals(v, b.get(k), k));
        assertArrayEquals(new long[]{QT, variant == Variant.DEFORMABLE_DETR ? 48 : 24}, a.get(QueryPriorAssignmentDistillation.TEACHER_QUERIES).shape());

        GradientStep step = new GradientStep(new AdamW(AdamWConfig.builder().build(), ParamGroups.uniform()),
                LrSchedule.constant(2e-3), new GradientClipper(0.1));
        List<Double> kd = new ArrayList<>();
        long forwards = teacher.forwardCount();
        for (int s = 0; s < 6; s++) {
            var r = step.run(student.sameDiff(), objective.feeds(batch, s), List.of("kd_assign_0", "kd_assign_1"), s);
            double v = r.outputs().get("kd_assign_0") + r.outputs().get("kd_assign_1");
            assertTrue(Double.isFinite(v) && v > 0, "step " + s + ": " + v);
            kd.add(v);
        }
        assertEquals(forwards + 6, teacher.forwardCount(), "the teacher runs once per step");
        assertTrue(kd.get(5) < 0.9 * kd.get(0), variant + ": kd_assign did not fall: " + kd);
    }

    @Test
    void incompatibleTeachersAreRefusedWithTheReason() {
        DetectorGraph student = Detectors.build(TinyDetectors.config(Variant.CONDITIONAL_DETR, 16, 2, Q), DataType.FLOAT, 5);
        NativeTeacher adamixer = teacher(Variant.ADAMIXER);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kdAssign(student, adamixer));
        assertTrue(e.getMessage().contains("the teacher is a adamixer, the student a conditional_detr")
                && e.getMessage().contains("same query form"), e.getMessage());

        FixedTeacher fixed = new FixedTeacher(Map.of(), 2);
        e = assertThrows(IllegalArgumentException.class, () -> new QueryPriorAssignmentDistillation(student, fixed,
                MatcherConfig.deformableDetr(), QueryPriorAssignmentDistillation.Options.defaults()));
        assertTrue(e.getMessage().contains("give its query count and query_embed width"), e.getMessage());

        FixedTeacher shallow = new FixedTeacher(Map.of(), 1);
        e = assertThrows(IllegalArgumentException.class, () -> new QueryPriorAssignmentDistillation(student, shallow,
                MatcherConfig.deformableDetr(), QueryPriorAssignmentDistillation.Options.builder().teacherQueries(3).teacherQueryWidth(16).build()));
        assertTrue(e.getMessage().contains("teacher must be at least as deep"), e.getMessage());
    }
}
