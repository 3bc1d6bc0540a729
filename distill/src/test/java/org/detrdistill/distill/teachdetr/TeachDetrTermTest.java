package org.detrdistill.distill.teachdetr;

import org.detrdistill.core.loss.Stage;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.TeacherOutputs;
import org.detrdistill.distill.testutil.Hand;
import org.detrdistill.core.testutil.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Teach-DETR's term against numbers computed by hand (2 queries, 2 classes, one teacher box), the independence of two
 * teachers, and a DOUBLE central-difference gradient check (two teachers, two stages, an image without teacher boxes).
 */
@ExtendWith(DoublePrecision.class)
class TeachDetrTermTest {

    /** A teacher that only stands for a name in the sources (its outputs are passed to the term directly). */
    private static Teacher placeholderTeacher(String name) {
        return new Teacher() {
            @Override public Set<String> provides() { return Set.of(); }
            @Override public int numStages() { return 0; }
            @Override public TeacherOutputs run(DetectionBatch batch) { throw new UnsupportedOperationException(); }
            @Override public String describe() { return name; }
        };
    }

    /** Box-level outputs: per image, rows {cx, cy, w, h, score, label}. */
    private static TeacherOutputs boxes(double[][]... images) {
        List<INDArray> boxes = new ArrayList<>();
        List<double[]> scores = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        for (double[][] rows : images) {
            double[] flat = new double[4 * rows.length], s = new double[rows.length];
            int[] l = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(rows[i], 0, flat, 4 * i, 4);
                s[i] = rows[i][4];
                l[i] = (int) rows[i][5];
            }
            boxes.add(rows.length == 0 ? Nd4j.create(DataType.DOUBLE, 0, 4) : Nd4j.createFromArray(flat).reshape(rows.length, 4));
            scores.add(s);
            labels.add(l);
        }
        return new TeacherOutputs(Map.of(), List.of(), boxes, scores, labels);
    }

    // student queries q0 (near the teacher box) and q1 (far), logits over 2 classes
    private static final double[][] S = {{-1.0, 0.4}, {0.3, -0.8}};
    private static final double[][] SB = {{0.31, 0.42, 0.22, 0.27}, {0.75, 0.70, 0.15, 0.20}};
    private static final double[] TB = {0.30, 0.40, 0.20, 0.30};
    private static final int LABEL = 1;
    private static final double SCORE = 0.8;

    /** Focal matching cost of Deformable DETR at the target class: α(1−p)^γ(−log p) − (1−α)p^γ(−log(1−p)). */
    private static double focalCost(double logit) {
        double p = Hand.sigmoid(logit), eps = 1e-8;
        return 0.25 * Math.pow(1 - p, 2) * -Math.log(p + eps) - 0.75 * Math.pow(p, 2) * -Math.log(1 - p + eps);
    }

    @Test
    void twoQueriesTwoClassesOneTeacherBoxMatchTheHandComputedLoss() {
        double c0 = 2 * focalCost(S[0][LABEL]) + 5 * Hand.l1(SB[0], TB) - 2 * Hand.giou(SB[0], TB);
        double c1 = 2 * focalCost(S[1][LABEL]) + 5 * Hand.l1(SB[1], TB) - 2 * Hand.giou(SB[1], TB);
        assertTrue(c0 < c1, "by hand q0 takes the box: " + c0 + " < " + c1);
        double n = 1, lambda = 0.7;
        double ce = (SCORE * (Hand.focal(S[0][0], 0) + Hand.focal(S[0][1], 1))
                + 0.5 * (Hand.focal(S[1][0], 0) + Hand.focal(S[1][1], 0))) / n;
        double l1 = SCORE * Hand.l1(SB[0], TB) / n;
        double giou = SCORE * (1 - Hand.giou(SB[0], TB)) / n;
        double expected = lambda * (2 * ce + 5 * l1 + 2 * giou);

        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.placeHolder("s_logits", DataType.DOUBLE, -1, 2, 2);
        SDVariable bx = sd.placeHolder("s_boxes", DataType.DOUBLE, -1, 2, 4);
        TeachDetrTerm term = new TeachDetrTerm(List.of(new TeachDetrTerm.Source("det", placeholderTeacher("det"), lambda)),
                1, TeachDetrOptions.defaults());
        Map<String, SDVariable> losses = term.attach(sd, List.of(Stage.aux(0, logits, bx)), 2, 2, DataType.DOUBLE, null);
        assertEquals(List.of("teach_detr_det"), List.copyOf(losses.keySet()));
        INDArray sl = Nd4j.createFromArray(new double[][][]{S}), sb = Nd4j.createFromArray(new double[][][]{SB});
        Map<String, INDArray> feeds = new HashMap<>(term.feeds(List.of(sl), List.of(sb),
                List.of(boxes(new double[][]{{TB[0], TB[1], TB[2], TB[3], SCORE, LABEL}}))));
        feeds.put("s_logits", sl);
        feeds.put("s_boxes", sb);
        Map<String, INDArray> out = sd.output(feeds, "teach_detr_det", "teach_detr/det/loss_ce_0",
                "teach_detr/det/loss_bbox_0", "teach_detr/det/loss_giou_0");
        System.out.printf("teach_detr hand case: cost q0 %.6f q1 %.6f; ce %.9f l1 %.9f giou %.9f total(λ=0.7) %.9f%n",
                c0, c1, ce, l1, giou, expected);
        assertEquals(ce, out.get("teach_detr/det/loss_ce_0").getDouble(0), 1e-12, "focal, score-weighted, unmatched 0.5");
        assertEquals(l1, out.get("teach_detr/det/loss_bbox_0").getDouble(0), 1e-12);
        assertEquals(giou, out.get("teach_detr/det/loss_giou_0").getDouble(0), 1e-12);
        assertEquals(expected, out.get("teach_detr_det").getDouble(0), 1e-12);
    }

    @Test
    void twoTeachersAreIndependentTargetSets() {
        TeacherOutputs a = boxes(new double[][]{{TB[0], TB[1], TB[2], TB[3], SCORE, LABEL}});
        TeacherOutputs b = boxes(new double[][]{{0.74, 0.69, 0.16, 0.22, 0.6, 0}, {0.3, 0.4, 0.2, 0.3, 0.9, 1}});
        double alone1 = single(a), alone2 = single(b);
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.placeHolder("s_logits", DataType.DOUBLE, -1, 2, 2);
        SDVariable bx = sd.placeHolder("s_boxes", DataType.DOUBLE, -1, 2, 4);
        TeachDetrTerm term = new TeachDetrTerm(List.of(new TeachDetrTerm.Source("a", placeholderTeacher("a"), 1),
                new TeachDetrTerm.Source("b", placeholderTeacher("b"), 1)), 1, TeachDetrOptions.defaults());
        term.attach(sd, List.of(Stage.aux(0, logits, bx)), 2, 2, DataType.DOUBLE, null);
        INDArray sl = Nd4j.createFromArray(new double[][][]{S}), sb = Nd4j.createFromArray(new double[][][]{SB});
        Map<String, INDArray> feeds = new HashMap<>(term.feeds(List.of(sl), List.of(sb), List.of(a, b)));
        feeds.put("s_logits", sl);
        feeds.put("s_boxes", sb);
        Map<String, INDArray> out = sd.output(feeds, "teach_detr_a", "teach_detr_b");
        assertEquals(alone1, out.get("teach_detr_a").getDouble(0), 1e-12);
        assertEquals(alone2, out.get("teach_detr_b").getDouble(0), 1e-12);
        assertNotEquals(alone1, alone2);
    }

    private static double single(TeacherOutputs t) {
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.placeHolder("s_logits", DataType.DOUBLE, -1, 2, 2);
        SDVariable bx = sd.placeHolder("s_boxes", DataType.DOUBLE, -1, 2, 4);
        TeachDetrTerm term = new TeachDetrTerm(List.of(new TeachDetrTerm.Source("x", placeholderTeacher("x"), 1)), 1,
                TeachDetrOptions.defaults());
        term.attach(sd, List.of(Stage.aux(0, logits, bx)), 2, 2, DataType.DOUBLE, null);
        INDArray sl = Nd4j.createFromArray(new double[][][]{S}), sb = Nd4j.createFromArray(new double[][][]{SB});
        Map<String, INDArray> feeds = new HashMap<>(term.feeds(List.of(sl), List.of(sb), List.of(t)));
        feeds.put("s_logits", sl);
        feeds.put("s_boxes", sb);
        return sd.output(feeds, "teach_detr_x").get("teach_detr_x").getDouble(0);
    }

    /** A teacher that counts its runs and returns fixed outputs. */
    private static final class CountingTeacher implements Teacher {
        final TeacherOutputs outputs;
        int runs;
        CountingTeacher(TeacherOutputs outputs) { this.outputs = outputs; }
        @Override public Set<String> provides() { return Set.of(); }
        @Override public int numStages() { return 0; }
        @Override public TeacherOutputs run(DetectionBatch batch) { runs++; return outputs; }
        @Override public String describe() { return "counting"; }
    }

    @Test
    void theObjectivesTeacherIsReadFromTheContextAndOthersRunOncePerStep() {
        TeacherOutputs mainOut = boxes(new double[][]{{TB[0], TB[1], TB[2], TB[3], SCORE, LABEL}});
        CountingTeacher main = new CountingTeacher(mainOut);
        CountingTeacher other = new CountingTeacher(boxes(new double[][]{{0.74, 0.69, 0.16, 0.22, 0.6, 0}}));
        SameDiff sd = SameDiff.create();
        TeachDetrTerm term = new TeachDetrTerm(List.of(new TeachDetrTerm.Source("main", main, 1),
                new TeachDetrTerm.Source("other", other, 1)), 1, TeachDetrOptions.defaults());
        term.attach(sd, List.of(Stage.aux(0, sd.placeHolder("l", DataType.DOUBLE, -1, 2, 2),
                sd.placeHolder("b", DataType.DOUBLE, -1, 2, 4))), 2, 2, DataType.DOUBLE, main);
        INDArray sl = Nd4j.createFromArray(new double[][][]{S}), sb = Nd4j.createFromArray(new double[][][]{SB});
        DetectionBatch batch = new DetectionBatch(Nd4j.zeros(DataType.FLOAT, 1, 3, 32, 32), Nd4j.zeros(DataType.FLOAT, 1, 32, 32),
                List.of(new org.detrdistill.datasets.batch.ImageTarget(1, new int[0], Nd4j.create(DataType.FLOAT, 0, 4), 32, 32, 32, 32)));
        Map<String, INDArray> student = Map.of("stage_0/logits", sl, "stage_0/boxes", sb);
        Map<String, INDArray> feeds = term.feeds(new org.detrdistill.distill.DistillContext(batch, mainOut, student, 0));
        assertEquals(0, main.runs, "the objective already ran its teacher for this batch");
        assertEquals(1, other.runs, "a teacher of this term only runs once per step");
        assertTrue(feeds.containsKey("teach_detr/main/targets/num_boxes") && feeds.containsKey("teach_detr/other/targets/num_boxes"));
    }

    @Test
    void rejectsLabelsOutsideTheStudentsClassesNamingTheTeacher() {
        SameDiff sd = SameDiff.create();
        TeachDetrTerm term = new TeachDetrTerm(List.of(new TeachDetrTerm.Source("det", placeholderTeacher("det"), 1)), 1,
                TeachDetrOptions.defaults());
        term.attach(sd, List.of(Stage.aux(0, sd.placeHolder("l", DataType.DOUBLE, -1, 2, 2),
                sd.placeHolder("b", DataType.DOUBLE, -1, 2, 4))), 2, 2, DataType.DOUBLE, null);
        INDArray sl = Nd4j.createFromArray(new double[][][]{S}), sb = Nd4j.createFromArray(new double[][][]{SB});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> term.feeds(List.of(sl), List.of(sb),
                List.of(boxes(new double[][]{{0.3, 0.4, 0.2, 0.3, 0.9, 5}}))));
        assertTrue(e.getMessage().contains("'det'") && e.getMessage().contains("label 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TeachDetrTerm(List.of(
                new TeachDetrTerm.Source("x", placeholderTeacher("x"), 1), new TeachDetrTerm.Source("x", placeholderTeacher("y"), 1)),
                1, TeachDetrOptions.defaults()));
    }

    @Test
    void gradientsMatchCentralDifferences() {
        int b = 2, q = 4, c = 3, stages = 2;
        Nd4j.getRandom().setSeed(21);
        TeachDetrTerm term = new TeachDetrTerm(List.of(new TeachDetrTerm.Source("a", placeholderTeacher("a"), 0.5),
                new TeachDetrTerm.Source("b", placeholderTeacher("b"), 1.0)), stages, TeachDetrOptions.defaults());
        SameDiff sd = SameDiff.create();
        List<Stage> list = new ArrayList<>();
        List<INDArray> sl = new ArrayList<>(), sb = new ArrayList<>();
        List<String> vars = new ArrayList<>();
        for (int j = 0; j < stages; j++) {
            INDArray logits = Nd4j.randn(DataType.DOUBLE, b, q, c).muli(1.5);
            INDArray raw = Nd4j.randn(DataType.DOUBLE, b, q, 4).muli(0.5);
            SDVariable lv = sd.var("logits_" + j, logits), rv = sd.var("raw_boxes_" + j, raw);
            list.add(Stage.aux(j, lv, sd.nn.sigmoid(rv)));
            sl.add(logits);
            sb.add(Transforms.sigmoid(raw, true));
            vars.add(lv.name());
            vars.add(rv.name());
        }
        Map<String, SDVariable> losses = term.attach(sd, list, q, c, DataType.DOUBLE, null);
        SDVariable total = losses.get("teach_detr_a").add(losses.get("teach_detr_b"));
        sd.updateVariableNameAndReference(total, "total");
        sd.setLossVariables("total");
        TeacherOutputs a = boxes(new double[][]{{0.3, 0.4, 0.2, 0.3, 0.9, 2}, {0.6, 0.5, 0.3, 0.2, 0.4, 0}}, new double[0][]);
        TeacherOutputs bt = boxes(new double[][]{{0.5, 0.5, 0.4, 0.4, 0.7, 1}},
                new double[][]{{0.2, 0.3, 0.1, 0.2, 0.8, 0}, {0.7, 0.6, 0.2, 0.3, 0.55, 2}, {0.4, 0.4, 0.3, 0.3, 0.35, 1}});
        Map<String, INDArray> feeds = term.feeds(sl, sb, List.of(a, bt));
        assertTrue(Double.isFinite(sd.output(feeds, "total").get("total").getDouble(0)));
        double maxGrad = 0;
        for (String v : vars) {
            CentralDifference.Result r = CentralDifference.check(sd, "total", feeds, v, 8, 1e-6, 3);
            System.out.println("teach_detr gradient check: " + r);
            assertTrue(r.maxRelError() <= 1e-6, r.toString());
            maxGrad = Math.max(maxGrad, r.maxAbsGradient());
        }
        assertTrue(maxGrad > 1e-3, "the check is not vacuous: max |grad| " + maxGrad);
    }
}
