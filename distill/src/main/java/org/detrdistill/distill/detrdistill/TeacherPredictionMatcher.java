package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.box.HostArrays;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.LinearSumAssignment;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * The one-to-one matching of student predictions to teacher predictions of one decoder stage (DETRDistill, METHOD
 * §2a), on the host, per image. Cost {@code 1·C_cls + 5·L1 + 2·(−GIoU)} with the soft-BCE class cost
 * {@code C_cls[i,j] = Σ_c [BCE(s_ic, 1)·p_jc + BCE(s_ic, 0)·(1 − p_jc)]} ({@code s} student logits, {@code p} teacher
 * sigmoid scores). Each image yields {@code min(Q_S, Q_T)} pairs: with {@code Q_S >= Q_T} every teacher prediction
 * supervises exactly one student query.
 *
 * <p>With the positive/negative split ({@link LogitsDistillationOptions#splitPositives()}), the columns of the
 * negative teacher predictions (max score {@code < tauPos}) use the box cost only ({@code 5·L1 + 2·(−GIoU)}); one
 * assignment problem over all columns keeps the matching one-to-one.
 *
 * <p>Also useful to terms that pair student and teacher queries the same way (e.g. query relation distillation).
 */
public final class TeacherPredictionMatcher {
    private final LogitsDistillationOptions options;
    private final HungarianMatcher full;
    private final HungarianMatcher boxOnly;

    public TeacherPredictionMatcher(LogitsDistillationOptions options) {
        this.options = options;
        this.full = new HungarianMatcher(options.matcher());
        this.boxOnly = new HungarianMatcher(options.matcher().toBuilder().classWeight(0).build());
    }

    public LogitsDistillationOptions options() { return options; }

    /**
     * Matches one stage of a batch.
     *
     * @param studentLogits {@code [B,Q_S,C]} raw logits
     * @param studentBoxes  {@code [B,Q_S,4]} cxcywh normalised
     * @param teacherProbs  {@code [B,Q_T,C]} teacher sigmoid scores in [0,1]
     * @param teacherBoxes  {@code [B,Q_T,4]} cxcywh normalised
     * @return per image, student query index → teacher prediction index, queries ascending
     * @throws IllegalArgumentException on shapes that do not agree (the class counts must be equal)
     */
    public List<Assignment> match(INDArray studentLogits, INDArray studentBoxes, INDArray teacherProbs, INDArray teacherBoxes) {
        HostArrays.requireShape("studentLogits", studentLogits, -1, -1, -1);
        HostArrays.requireShape("teacherProbs", teacherProbs, studentLogits.size(0), -1, studentLogits.size(2));
        HostArrays.requireShape("teacherBoxes", teacherBoxes, studentLogits.size(0), teacherProbs.size(1), 4);
        if (!options.splitPositives()) return full.matchSoft(studentLogits, studentBoxes, teacherBoxes, teacherProbs);
        int qs = (int) studentLogits.size(1), qt = (int) teacherProbs.size(1);
        LinearSumAssignment solver = new LinearSumAssignment();
        List<Assignment> out = new ArrayList<>();
        for (int b = 0; b < studentLogits.size(0); b++) {
            INDArray sl = image(studentLogits, b), sb = image(studentBoxes, b), tp = image(teacherProbs, b), tb = image(teacherBoxes, b);
            double[] withClass = HostArrays.toDoubles(full.costMatrix(sl, sb, tb, tp));
            double[] boxes = HostArrays.toDoubles(boxOnly.costMatrix(sl, sb, tb, tp));
            boolean[] positive = positives(tp, options.tauPos());
            double[] cost = new double[qs * qt];
            for (int i = 0; i < qs; i++) {
                for (int j = 0; j < qt; j++) cost[i * qt + j] = positive[j] ? withClass[i * qt + j] : boxes[i * qt + j];
            }
            out.add(qt == 0 ? Assignment.empty() : solver.solve(cost, qs, qt).toAssignment());
        }
        return out;
    }

    /**
     * Which teacher predictions are positives.
     *
     * @param probs {@code [Q_T,C]} teacher scores of one image
     * @return per prediction: {@code max_c probs >= tauPos}
     */
    public static boolean[] positives(INDArray probs, double tauPos) {
        int q = (int) probs.size(0), c = (int) probs.size(1);
        double[] p = HostArrays.toDoubles(probs);
        boolean[] out = new boolean[q];
        for (int j = 0; j < q; j++) {
            double max = 0;
            for (int k = 0; k < c; k++) max = Math.max(max, p[j * c + k]);
            out[j] = max >= tauPos;
        }
        return out;
    }

    static INDArray image(INDArray a, int b) {
        return a.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
