package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.loss.Stage;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.distill.testutil.Hand;
import org.detrdistill.core.testutil.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

import static org.junit.jupiter.api.Assertions.*;

/**
 * DETRDistill's logits distillation against numbers computed by hand (2 student queries, 2 teacher predictions,
 * 2 classes; then a third, unmatched student query; then the positive/negative split), and a DOUBLE central-difference
 * gradient check with stage grouping (3 teacher stages → 2 student stages) and more student than teacher queries.
 */
@ExtendWith(DoublePrecision.class)
class HungarianLogitsDistillationTest {

    // student logits and boxes (cxcywh) of queries q0, q1, q2 (q2 only in the unmatched case)
    private static final double[][] S = {{0.5, -1.0}, {-0.3, 0.8}, {1.2, -0.7}};
    private static final double[][] SB = {{0.30, 0.40, 0.20, 0.30}, {0.70, 0.60, 0.25, 0.20}, {0.10, 0.90, 0.05, 0.05}};
    // teacher logits and boxes of predictions t0, t1: t0 lies near q1, t1 near q0 (the matching crosses)
    private static final double[][] T = {{-2.0, 1.5}, {1.0, -0.5}};
    private static final double[][] TB = {{0.68, 0.62, 0.22, 0.24}, {0.32, 0.37, 0.18, 0.28}};

    private static double[] p(int j) {
        return new double[]{Hand.sigmoid(T[j][0]), Hand.sigmoid(T[j][1])};
    }

    /** Soft-BCE class cost + 5·L1 − 2·GIoU of student query i against teacher prediction j. */
    private static double cost(int i, int j) {
        double[] pj = p(j);
        return Hand.bce(S[i][0], pj[0]) + Hand.bce(S[i][1], pj[1]) + 5 * Hand.l1(SB[i], TB[j]) - 2 * Hand.giou(SB[i], TB[j]);
    }

    private static double clsTerm(int i, int j) {
        double[] pj = p(j);
        return Hand.bce(S[i][0], pj[0]) + Hand.bce(S[i][1], pj[1]);
    }

    /** Runs the term on the first {@code q} student queries; returns {total, loss_ce, loss_bbox, loss_giou}. */
    private static double[] run(int q, LogitsDistillationOptions options) {
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.placeHolder("s_logits", DataType.DOUBLE, -1, q, 2);
        SDVariable boxes = sd.placeHolder("s_boxes", DataType.DOUBLE, -1, q, 4);
        HungarianLogitsDistillation term = new HungarianLogitsDistillation(StageGrouping.of(1, 1), options);
        Map<String, SDVariable> losses = term.attach(sd, List.of(Stage.aux(0, logits, boxes)), q, 2, DataType.DOUBLE);
        assertEquals(List.of("kd_logits_0"), List.copyOf(losses.keySet()));
        INDArray sl = Nd4j.createFromArray(new double[][][]{java.util.Arrays.copyOf(S, q)});
        INDArray sb = Nd4j.createFromArray(new double[][][]{java.util.Arrays.copyOf(SB, q)});
        INDArray tl = Nd4j.createFromArray(new double[][][]{T});
        INDArray tb = Nd4j.createFromArray(new double[][][]{TB});
        Map<String, INDArray> feeds = new HashMap<>(term.feeds(List.of(sl), List.of(sb), List.of(tl), List.of(tb)));
        feeds.put("s_logits", sl);
        feeds.put("s_boxes", sb);
        Map<String, INDArray> out = sd.output(feeds, "kd_logits_0", "kd_logits/loss_ce_0", "kd_logits/loss_bbox_0",
                "kd_logits/loss_giou_0");
        return new double[]{out.get("kd_logits_0").getDouble(0), out.get("kd_logits/loss_ce_0").getDouble(0),
                out.get("kd_logits/loss_bbox_0").getDouble(0), out.get("kd_logits/loss_giou_0").getDouble(0)};
    }

    @Test
    void twoQueriesTwoClassesMatchTheHandComputedLoss() {
        double straight = cost(0, 0) + cost(1, 1), crossed = cost(0, 1) + cost(1, 0);
        assertTrue(crossed < straight, "by hand the optimal matching is q0->t1, q1->t0: " + crossed + " < " + straight);
        double n = 2;   // matched pairs
        double cls = (clsTerm(0, 1) + clsTerm(1, 0)) / n;
        double l1 = (Hand.l1(SB[0], TB[1]) + Hand.l1(SB[1], TB[0])) / n;
        double giou = ((1 - Hand.giou(SB[0], TB[1])) + (1 - Hand.giou(SB[1], TB[0]))) / n;
        double total = cls + 5 * l1 + 2 * giou;
        double[] got = run(2, LogitsDistillationOptions.defaults());
        System.out.printf("kd_logits hand case: cost straight %.6f crossed %.6f; cls %.9f l1 %.9f giou %.9f total %.9f%n",
                straight, crossed, cls, l1, giou, total);
        assertEquals(cls, got[1], 1e-12, "soft BCE averaged over matched pairs");
        assertEquals(l1, got[2], 1e-12, "L1");
        assertEquals(giou, got[3], 1e-12, "GIoU");
        assertEquals(total, got[0], 1e-12, "1·cls + 5·L1 + 2·GIoU");
    }

    @Test
    void anUnmatchedStudentQueryIsPushedToBackgroundZeroWithWeightOne() {
        // q2 is far from both teacher boxes: the matching stays q0->t1, q1->t0 and q2 is left over
        double n = 2;
        double cls = (clsTerm(0, 1) + clsTerm(1, 0) + Hand.bce(S[2][0], 0) + Hand.bce(S[2][1], 0)) / n;
        double l1 = (Hand.l1(SB[0], TB[1]) + Hand.l1(SB[1], TB[0])) / n;
        double giou = ((1 - Hand.giou(SB[0], TB[1])) + (1 - Hand.giou(SB[1], TB[0]))) / n;
        double[] got = run(3, LogitsDistillationOptions.defaults());
        assertEquals(cls, got[1], 1e-12, "background target 0 (not the class index C) for q2");
        assertEquals(cls + 5 * l1 + 2 * giou, got[0], 1e-12);
    }

    @Test
    void positiveNegativeSplitDropsTheNegativesBoxTermsAndWeighsTheirClassTerm() {
        // max scores: t0 0.8176 (positive at tau 0.8), t1 0.7311 (negative)
        assertTrue(Math.max(p(0)[0], p(0)[1]) >= 0.8 && Math.max(p(1)[0], p(1)[1]) < 0.8);
        LogitsDistillationOptions split = LogitsDistillationOptions.builder().splitPositives(true).tauPos(0.8).lambdaNeg(0.25).build();
        // negatives are matched by box cost only; q0 is still the nearer query to t1
        double boxStraight = 5 * Hand.l1(SB[0], TB[1]) - 2 * Hand.giou(SB[0], TB[1]) + cost(1, 0);
        assertTrue(boxStraight < 5 * Hand.l1(SB[1], TB[1]) - 2 * Hand.giou(SB[1], TB[1]) + cost(0, 0));
        double n = 2;
        double cls = (clsTerm(1, 0) + 0.25 * clsTerm(0, 1)) / n;
        double l1 = Hand.l1(SB[1], TB[0]) / n;
        double giou = (1 - Hand.giou(SB[1], TB[0])) / n;
        double[] got = run(2, split);
        assertEquals(cls, got[1], 1e-12);
        assertEquals(l1, got[2], 1e-12);
        assertEquals(giou, got[3], 1e-12);
        assertEquals(cls + 5 * l1 + 2 * giou, got[0], 1e-12);

        // every prediction positive (tau 0) is the default behaviour; every prediction negative leaves no box term
        assertArrayEquals(run(2, LogitsDistillationOptions.defaults()),
                run(2, split.toBuilder().tauPos(0).build()), 1e-15);
        double[] allNegative = run(2, split.toBuilder().tauPos(1).lambdaNeg(1).build());
        assertEquals(0, allNegative[2], 0);
        assertEquals(0, allNegative[3], 0);
        assertEquals((clsTerm(0, 1) + clsTerm(1, 0)) / n, allNegative[1], 1e-12);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gradientsMatchCentralDifferencesWithStageGrouping(boolean splitPositives) {
        int b = 2, qs = 4, qt = 3, c = 3, ls = 2, lt = 3;
        Nd4j.getRandom().setSeed(splitPositives ? 11 : 7);
        StageGrouping grouping = StageGrouping.of(lt, ls);
        HungarianLogitsDistillation term = new HungarianLogitsDistillation(grouping,
                LogitsDistillationOptions.builder().splitPositives(splitPositives).tauPos(0.5).lambdaNeg(0.3).build());
        SameDiff sd = SameDiff.create();
        List<Stage> stages = new ArrayList<>();
        List<INDArray> sl = new ArrayList<>(), sb = new ArrayList<>();
        List<String> vars = new ArrayList<>();
        for (int j = 0; j < ls; j++) {
            INDArray logits = Nd4j.randn(DataType.DOUBLE, b, qs, c).muli(1.5);
            INDArray raw = Nd4j.randn(DataType.DOUBLE, b, qs, 4).muli(0.5);
            SDVariable lv = sd.var("logits_" + j, logits);
            SDVariable rv = sd.var("raw_boxes_" + j, raw);
            stages.add(Stage.aux(j, lv, sd.nn.sigmoid(rv)));
            sl.add(logits);
            sb.add(Transforms.sigmoid(raw, true));
            vars.add(lv.name());
            vars.add(rv.name());
        }
        List<INDArray> teacherLogits = new ArrayList<>(), teacherBoxes = new ArrayList<>();
        for (int k = 0; k < lt; k++) {
            teacherLogits.add(Nd4j.randn(DataType.DOUBLE, b, qt, c).muli(2));
            teacherBoxes.add(Transforms.sigmoid(Nd4j.randn(DataType.DOUBLE, b, qt, 4).muli(0.5), true));
        }
        Map<String, SDVariable> losses = term.attach(sd, stages, qs, c, DataType.DOUBLE);
        SDVariable total = null;
        for (SDVariable v : losses.values()) total = total == null ? v : total.add(v);
        total = sd.updateVariableNameAndReference(total, "total");
        sd.setLossVariables("total");
        List<INDArray> tl = new ArrayList<>(), tb = new ArrayList<>();
        for (int j = 0; j < ls; j++) {
            tl.add(teacherLogits.get(grouping.teacherStage(j)));
            tb.add(teacherBoxes.get(grouping.teacherStage(j)));
        }
        Map<String, INDArray> feeds = term.feeds(sl, sb, tl, tb);
        double loss = sd.output(feeds, "total").get("total").getDouble(0);
        assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
        double maxGrad = 0;
        for (String v : vars) {
            CentralDifference.Result r = CentralDifference.check(sd, "total", feeds, v, 8, 1e-6, 5);
            System.out.println("kd_logits gradient check (split " + splitPositives + "): " + r);
            assertTrue(r.maxRelError() <= 1e-6, r.toString());
            maxGrad = Math.max(maxGrad, r.maxAbsGradient());
        }
        assertTrue(maxGrad > 1e-3, "the check is not vacuous: max |grad| " + maxGrad);
    }
}
