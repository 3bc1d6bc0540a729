package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.loss.Stage;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.model.Variant;
import org.detrdistill.datasets.batch.ImageTarget;
import org.detrdistill.distill.TermOptions;
import org.detrdistill.distill.testutil.Hand;
import org.detrdistill.core.testutil.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Query-prior assignment distillation against numbers computed by hand: 3 teacher queries, 2 classes, two images (two
 * ground-truth boxes in the first, none in the second), fixed teacher assignments that differ per teacher stage, the
 * stage grouping (3 teacher stages → 2 student stages), and the query adapter's checks.
 */
@ExtendWith(DoublePrecision.class)
class QueryPriorAssignmentDistillationTest {

    // student predictions from the 3 teacher queries, image 0 then image 1
    private static final double[][][] LOGITS = {{{0.4, -1.2}, {-0.7, 0.3}, {1.1, 0.9}}, {{-2.0, 0.5}, {0.2, -0.4}, {-1.5, -3.0}}};
    private static final double[][][] BOXES = {{{0.30, 0.40, 0.20, 0.30}, {0.50, 0.50, 0.40, 0.40}, {0.72, 0.58, 0.26, 0.22}},
            {{0.40, 0.40, 0.30, 0.30}, {0.60, 0.55, 0.20, 0.25}, {0.20, 0.80, 0.10, 0.10}}};
    // ground truth of image 0: g0 label 1, g1 label 0; image 1 has none
    private static final double[][] GT = {{0.70, 0.60, 0.25, 0.20}, {0.32, 0.38, 0.22, 0.28}};
    private static final int[] LABELS = {1, 0};

    private static List<ImageTarget> targets() {
        return List.of(new ImageTarget(1, LABELS, Nd4j.createFromArray(GT), 64, 64, 64, 64),
                new ImageTarget(2, new int[0], Nd4j.create(DataType.DOUBLE, 0, 4), 64, 64, 64, 64));
    }

    /**
     * The loss by hand: focal over every (image, query, class) with one-hot targets at assigned queries (background
     * elsewhere), L1 and 1 − GIoU of assigned queries against their GT, all divided by 2 GT boxes; weights 2 / 5 / 2.
     *
     * @param assigned for image 0, the GT index of each teacher query (−1 = unassigned); image 1 has no GT
     */
    private static double expected(int[] assigned) {
        double ce = 0, l1 = 0, giou = 0;
        for (int b = 0; b < 2; b++) {
            for (int q = 0; q < 3; q++) {
                int g = b == 0 ? assigned[q] : -1;
                for (int c = 0; c < 2; c++) ce += Hand.focal(LOGITS[b][q][c], g >= 0 && LABELS[g] == c ? 1 : 0);
                if (g >= 0) {
                    l1 += Hand.l1(BOXES[b][q], GT[g]);
                    giou += 1 - Hand.giou(BOXES[b][q], GT[g]);
                }
            }
        }
        return 2 * ce / 2 + 5 * l1 / 2 + 2 * giou / 2;
    }

    @Test
    void lossEqualsTheHandComputedFocalL1AndGiouOfTheTeachersAssignmentPerStage() {
        SameDiff sd = SameDiff.create();
        SDVariable l0 = sd.placeHolder("l0", DataType.DOUBLE, -1, 3, 2), b0 = sd.placeHolder("b0", DataType.DOUBLE, -1, 3, 4);
        SDVariable l1 = sd.placeHolder("l1", DataType.DOUBLE, -1, 3, 2), b1 = sd.placeHolder("b1", DataType.DOUBLE, -1, 3, 4);
        QueryPriorAssignmentDistillation term = new QueryPriorAssignmentDistillation(StageGrouping.of(3, 2), 3,
                QueryPriorAssignmentDistillation.Options.defaults());
        Map<String, SDVariable> losses = term.attach(sd, List.of(Stage.aux(0, l0, b0), Stage.aux(1, l1, b1)), 2, DataType.DOUBLE);
        assertEquals(List.of("kd_assign_0", "kd_assign_1"), List.copyOf(losses.keySet()));

        // 3 teacher stages → 2 student stages: student 0 ← teacher 0, student 1 ← teacher 2 (StageGrouping: [0, 2]);
        // teacher stage 1 is never read: its index outside [0, 3) would fail if it were
        assertArrayEquals(new int[]{0, 2}, term.grouping().mapping());
        List<List<Assignment>> teacher = List.of(
                List.of(new Assignment(new int[]{0, 2}, new int[]{1, 0}), Assignment.empty()),   // q0 → g1, q2 → g0
                List.of(new Assignment(new int[]{7}, new int[]{0}), Assignment.empty()),
                List.of(new Assignment(new int[]{1, 2}, new int[]{1, 0}), Assignment.empty()));  // q1 → g1, q2 → g0
        Map<String, INDArray> feeds = new HashMap<>(term.feeds(teacher, targets()));
        INDArray logits = Nd4j.createFromArray(LOGITS), boxes = Nd4j.createFromArray(BOXES);
        feeds.putAll(Map.of("l0", logits, "b0", boxes, "l1", logits, "b1", boxes));
        Map<String, INDArray> out = sd.output(feeds, "kd_assign_0", "kd_assign_1", "kd_assign/loss_ce_0", "kd_assign/loss_bbox_1");

        double stage0 = expected(new int[]{1, -1, 0}), stage1 = expected(new int[]{-1, 1, 0});
        assertEquals(stage0, out.get("kd_assign_0").getDouble(0), 1e-12);
        assertEquals(stage1, out.get("kd_assign_1").getDouble(0), 1e-12);
        assertNotEquals(stage0, stage1, 1e-3, "the two teacher stages assign differently");
        // spelled out for stage 0: query 0 → g1 (label 0), query 2 → g0 (label 1), query 1 and image 1 background;
        // the same numbers from an independent Python script: focal 0.70062035, L1 0.075, 1−GIoU 0.29076689 (each / 2 GT)
        assertEquals(2.357774476, stage0, 1e-8);
        assertEquals(4.683661662, stage1, 1e-8);
        double ce0 = 0;
        for (int b = 0; b < 2; b++) for (int q = 0; q < 3; q++) for (int c = 0; c < 2; c++) {
            boolean positive = b == 0 && ((q == 0 && c == 0) || (q == 2 && c == 1));
            ce0 += Hand.focal(LOGITS[b][q][c], positive ? 1 : 0);
        }
        assertEquals(ce0 / 2, out.get("kd_assign/loss_ce_0").getDouble(0), 1e-12);
        assertEquals((Hand.l1(BOXES[0][1], GT[1]) + Hand.l1(BOXES[0][2], GT[0])) / 2, out.get("kd_assign/loss_bbox_1").getDouble(0), 1e-12);
    }

    @Test
    void aBatchWithoutGroundTruthIsAllBackground() {
        SameDiff sd = SameDiff.create();
        SDVariable l = sd.placeHolder("l", DataType.DOUBLE, -1, 3, 2), b = sd.placeHolder("b", DataType.DOUBLE, -1, 3, 4);
        QueryPriorAssignmentDistillation term = new QueryPriorAssignmentDistillation(StageGrouping.of(1, 1), 3,
                QueryPriorAssignmentDistillation.Options.builder().classWeight(1).build());
        term.attach(sd, List.of(Stage.aux(0, l, b)), 2, DataType.DOUBLE);
        List<ImageTarget> none = List.of(new ImageTarget(1, new int[0], Nd4j.create(DataType.DOUBLE, 0, 4), 64, 64, 64, 64));
        Map<String, INDArray> feeds = new HashMap<>(term.feeds(List.of(List.of(Assignment.empty())), none));
        feeds.put("l", Nd4j.createFromArray(new double[][][]{LOGITS[0]}));
        feeds.put("b", Nd4j.createFromArray(new double[][][]{BOXES[0]}));
        double ce = 0;
        for (double[] row : LOGITS[0]) for (double x : row) ce += Hand.focal(x, 0);
        assertEquals(ce, sd.output(feeds, "kd_assign_0").get("kd_assign_0").getDouble(0), 1e-12, "num_boxes = max(0, 1)");
    }

    @Test
    void badAssignmentsAndOptionsAreRefusedByName() {
        QueryPriorAssignmentDistillation term = new QueryPriorAssignmentDistillation(StageGrouping.of(1, 1), 3,
                QueryPriorAssignmentDistillation.Options.defaults());
        SameDiff sd = SameDiff.create();
        term.attach(sd, List.of(Stage.aux(0, sd.placeHolder("l", DataType.DOUBLE, -1, 3, 2), sd.placeHolder("b", DataType.DOUBLE, -1, 3, 4))),
                2, DataType.DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> term.feeds(List.of(List.of(new Assignment(new int[]{3}, new int[]{0}), Assignment.empty())), targets()));
        assertTrue(e.getMessage().startsWith("kd_assign: teacher stage 0: image 0") && e.getMessage().contains("outside [0, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> term.feeds(List.of(List.of(Assignment.empty())), targets()));
        assertTrue(e.getMessage().contains("has 1 images, the batch 2"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> QueryPriorAssignmentDistillation.Options.from(
                new TermOptions("terms.kd_assign", Map.of("teacherQuerys", 5))));
        assertTrue(e.getMessage().contains("unknown option [teacherQuerys]") && e.getMessage().contains("teacherQueries"), e.getMessage());
        QueryPriorAssignmentDistillation.Options o = QueryPriorAssignmentDistillation.Options.from(
                new TermOptions("terms.kd_assign", Map.of("teacherQueries", 5, "teacherQueryWidth", 48, "bboxWeight", 3)));
        assertEquals(new QueryPriorAssignmentDistillation.Options(5, 48, 2, 3, 2, 0), o);
        assertThrows(IllegalArgumentException.class, () -> QueryPriorAssignmentDistillation.Options.builder().giouWeight(-1).build());
    }

    @Test
    void theAdapterKeepsPositionAndContentApartAndRefusesOddWidths() {
        QueryAdapter deformable = QueryAdapter.of("a", Variant.DEFORMABLE_DETR, 48, 32);
        assertEquals(2, deformable.parts());
        assertTrue(deformable.learned());
        assertFalse(QueryAdapter.of("a", Variant.ADAMIXER, 16, 16).learned());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QueryAdapter.of("kd_assign.adapter",
                Variant.DEFORMABLE_DETR, 25, 32));
        assertTrue(e.getMessage().contains("position ‖ content") && e.getMessage().contains("multiple of 2"), e.getMessage());

        // a [2, 6] teacher query (pos 3 ‖ content 3) → [2, 4]: each half through its own Linear(3 → 2)
        SameDiff sd = SameDiff.create();
        SDVariable q = sd.placeHolder("q", DataType.DOUBLE, 2, 6);
        QueryAdapter a = QueryAdapter.of("ad", Variant.DEFORMABLE_DETR, 6, 4);
        SDVariable out = a.apply(new org.detrdistill.core.nn.ParamFactory(sd, DataType.DOUBLE, 1), q);
        INDArray x = Nd4j.createFromArray(new double[][]{{1, 2, 3, 4, 5, 6}, {-1, 0, 1, 2, -2, 0.5}});
        INDArray y = sd.output(Map.of("q", x), out.name()).get(out.name());
        INDArray w0 = sd.getArrForVarName("ad.0.weight"), w1 = sd.getArrForVarName("ad.1.weight");
        assertArrayEquals(new long[]{2, 3}, w0.shape());
        INDArray pos = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
        INDArray content = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 6));
        INDArray expected = Nd4j.concat(1, pos.mmul(w0.transpose()), content.mmul(w1.transpose()));   // biases start at 0
        assertTrue(expected.equalsWithEps(y, 1e-12), y + " vs " + expected);
    }
}
