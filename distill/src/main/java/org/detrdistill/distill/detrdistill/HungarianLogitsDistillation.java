package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.loss.CriterionConfig;
import org.detrdistill.core.loss.CriterionGraph;
import org.detrdistill.core.loss.EncodedTargets;
import org.detrdistill.core.loss.SetCriterion;
import org.detrdistill.core.loss.SoftTargets;
import org.detrdistill.core.loss.Stage;
import org.detrdistill.core.loss.TargetEncoder;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.DistillTerm;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.TermContext;
import org.detrdistill.distill.TermOptions;
import org.detrdistill.distill.teacher.DetectorTeacher;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * DETRDistill's Hungarian-matching logits distillation, progressive over decoder stages (METHOD §2a). Student stage
 * {@code j} is supervised by teacher stage {@code k = grouping.teacherStage(j)} ({@link StageGrouping}), whose
 * predictions act as pseudo ground truth: boxes {@code b^T} and the full sigmoid score vectors {@code p^T} as soft
 * labels. Per stage, after the matching of {@link TeacherPredictionMatcher}:
 * <pre>
 *   N        = number of matched (student, teacher) pairs in the batch (at least 1)
 *   L_cls    = Σ_{b,q,c} w_bq · BCEWithLogits(s_bqc, t_bqc) / N     t = p^T of the matched teacher prediction, 0 for an
 *                                                                   unmatched student query (background, weight 1)
 *   L_L1     = Σ_pairs w_box · |b^S − b^T|_1 / N
 *   L_GIoU   = Σ_pairs w_box · (1 − GIoU(b^S, b^T)) / N
 *   L^j      = 1·L_cls + 5·L_L1 + 2·L_GIoU                          ({@code kd_logits_<j>}, unweighted by λ)
 * </pre>
 * By default (the official code) every teacher prediction is matched to one student query, {@code w = w_box = 1}. With
 * the positive/negative split, negatives have {@code w = λ_neg} and {@code w_box = 0}. Unmatched student queries
 * (Q_S > Q_T) get the background target 0 with weight 1 (not the class index C the official code writes there).
 *
 * <p>Built on {@link SetCriterion} with soft targets (sigmoid class loss with γ = 0 and no α: soft BCE) under the
 * prefix {@code kd_logits/}: its placeholders are {@code kd_logits/targets/aux_<j>/...}, its terms
 * {@code kd_logits/loss_ce_<j>} etc. Teacher and student may differ in variant, width, query count and depth
 * ({@code L_T >= L_S}); they must have the same classes (and, for a native teacher, the same canvas).
 */
public final class HungarianLogitsDistillation implements DistillTerm {
    /** The term's default name. */
    public static final String NAME = "kd_logits";

    private final String name;
    private final StageGrouping grouping;
    private final LogitsDistillationOptions options;
    private final TeacherPredictionMatcher matcher;
    private CriterionGraph criterion;
    private TargetEncoder encoder;
    private List<String> stageNames;

    /**
     * @param grouping which teacher stage supervises each student stage
     * @param options  matcher, weights, positive/negative split
     */
    public HungarianLogitsDistillation(StageGrouping grouping, LogitsDistillationOptions options) {
        this(NAME, grouping, options);
    }

    /** With another name (and thus another variable prefix), e.g. to distill from two teachers. */
    public HungarianLogitsDistillation(String name, StageGrouping grouping, LogitsDistillationOptions options) {
        this.name = Objects.requireNonNull(name, "name");
        this.grouping = Objects.requireNonNull(grouping, "grouping");
        this.options = Objects.requireNonNull(options, "options");
        this.matcher = new TeacherPredictionMatcher(options);
    }

    /** The term for a student and a teacher: stages grouped by their depths. */
    public static HungarianLogitsDistillation of(DetectorGraph student, Teacher teacher, LogitsDistillationOptions options) {
        return new HungarianLogitsDistillation(StageGrouping.of(teacher.numStages(), student.numStages()), options);
    }

    /**
     * The registry factory: options from a config ({@link LogitsDistillationOptions#from}), stages grouped by the depths
     * of the student and the main teacher.
     *
     * @throws IllegalArgumentException on a bad option, or a teacher without stages or shallower than the student
     */
    public static HungarianLogitsDistillation create(TermOptions options, TermContext context) {
        return of(context.student(), context.teacher(), LogitsDistillationOptions.from(options));
    }

    @Override public String name() { return name; }

    public StageGrouping grouping() { return grouping; }

    public LogitsDistillationOptions options() { return options; }

    /** The criterion's variables (available after {@link #build}). */
    public CriterionGraph criterion() { return criterion; }

    @Override
    public Set<String> studentOutputs() {
        return DetectorNames.stagePredictions(grouping.studentStages());
    }

    @Override
    public Set<String> teacherOutputs() {
        return grouping.teacherPredictions();
    }

    @Override
    public Map<String, SDVariable> build(DetectorGraph student, Teacher teacher) {
        if (student.numStages() != grouping.studentStages() || teacher.numStages() != grouping.teacherStages()) {
            throw new IllegalArgumentException(name + ": built for " + grouping + " but the student has "
                    + student.numStages() + " stages and the teacher " + teacher.numStages());
        }
        if (teacher instanceof DetectorTeacher t) {
            t.requireSameCanvas(student.config(), name);
            t.requireSameClasses(student.config(), name, "logits distillation compares class scores one to one");
        }
        SameDiff sd = student.sameDiff();
        List<Stage> stages = new ArrayList<>();
        for (int j = 0; j < grouping.studentStages(); j++) {
            stages.add(Stage.aux(j, sd.getVariable(DetectorNames.stageLogits(j)), sd.getVariable(DetectorNames.stageBoxes(j))));
        }
        return attach(sd, stages, student.config().numQueries(), student.config().numClasses(), student.dataType());
    }

    /**
     * The graph part on any stage variables (what {@link #build} does on a detector; usable on bare variables, e.g. in
     * gradient checks).
     *
     * @param stages one per student stage, in order, named {@code aux_<j>}: logits {@code [B,Q_S,C]}, boxes
     *               {@code [B,Q_S,4]} cxcywh normalised
     * @return {@code <name>_<j>} → the unweighted per-stage loss {@code L^j}
     */
    public Map<String, SDVariable> attach(SameDiff sd, List<Stage> stages, int numQueries, int numClasses, DataType dataType) {
        if (stages.size() != grouping.studentStages()) {
            throw new IllegalArgumentException(name + ": " + stages.size() + " stages given, " + grouping + " expects "
                    + grouping.studentStages());
        }
        CriterionConfig cfg = CriterionConfig.builder().numClasses(numClasses).focalGamma(0).focalAlpha(-1).clearWeights()
                .weight(CriterionConfig.LOSS_CE, options.classWeight()).weight(CriterionConfig.LOSS_BBOX, options.bboxWeight())
                .weight(CriterionConfig.LOSS_GIOU, options.giouWeight()).build();
        criterion = new SetCriterion(cfg, name + "/").build(sd, stages);
        encoder = TargetEncoder.forConfig(cfg, numQueries, dataType);
        stageNames = stages.stream().map(Stage::name).toList();
        Map<String, SDVariable> out = new LinkedHashMap<>();
        for (int j = 0; j < stages.size(); j++) {
            SDVariable sum = criterion.stageTotal(stages.get(j).suffix());
            out.put(name + "_" + j, sd.updateVariableNameAndReference(sum.mul(1.0), name + "_" + j));
        }
        return out;
    }

    @Override
    public Map<String, INDArray> feeds(DistillContext context) {
        List<INDArray> sl = new ArrayList<>(), sb = new ArrayList<>(), tl = new ArrayList<>(), tb = new ArrayList<>();
        for (int j = 0; j < grouping.studentStages(); j++) {
            int k = grouping.teacherStage(j);
            sl.add(context.student().get(DetectorNames.stageLogits(j)));
            sb.add(context.student().get(DetectorNames.stageBoxes(j)));
            tl.add(context.teacher().get(DetectorNames.stageLogits(k)));
            tb.add(context.teacher().get(DetectorNames.stageBoxes(k)));
        }
        return feeds(sl, sb, tl, tb);
    }

    /**
     * The placeholder values of one step from arrays (one entry per student stage, teacher stages already grouped).
     *
     * @param studentLogits {@code [B,Q_S,C]} per stage
     * @param studentBoxes  {@code [B,Q_S,4]} per stage
     * @param teacherLogits {@code [B,Q_T,C]} per stage (raw logits; the targets are their sigmoids)
     * @param teacherBoxes  {@code [B,Q_T,4]} per stage
     */
    public Map<String, INDArray> feeds(List<INDArray> studentLogits, List<INDArray> studentBoxes,
                                       List<INDArray> teacherLogits, List<INDArray> teacherBoxes) {
        if (criterion == null) throw new IllegalStateException(name + ": build or attach first");
        Map<String, EncodedTargets> encoded = new LinkedHashMap<>();
        int matched = -1;
        for (int j = 0; j < stageNames.size(); j++) {
            INDArray tLogits = teacherLogits.get(j);
            if (tLogits.size(2) != studentLogits.get(j).size(2)) {
                throw new IllegalArgumentException(name + ": teacher stage " + grouping.teacherStage(j) + " has "
                        + tLogits.size(2) + " classes, student stage " + j + " " + studentLogits.get(j).size(2));
            }
            INDArray probs = Transforms.sigmoid(tLogits.castTo(DataType.DOUBLE), true);
            INDArray tBoxes = teacherBoxes.get(j).castTo(DataType.DOUBLE);
            List<Assignment> a = matcher.match(studentLogits.get(j), studentBoxes.get(j), probs, tBoxes);
            EncodedTargets e = encode(a, probs, tBoxes);
            encoded.put(stageNames.get(j), e);
            matched = e.numMatched();   // min(Q_S, Q_T) per image: the same at every stage
        }
        return criterion.feed(encoded, Math.max(matched, 1));
    }

    /** Soft targets of every image, encoded; with the split, negatives get class weight λ_neg and box weight 0. */
    private EncodedTargets encode(List<Assignment> assignments, INDArray probs, INDArray boxes) {
        List<SoftTargets> soft = new ArrayList<>();
        List<boolean[]> positive = new ArrayList<>();
        for (int b = 0; b < assignments.size(); b++) {
            INDArray p = TeacherPredictionMatcher.image(probs, b), bx = TeacherPredictionMatcher.image(boxes, b);
            double[] w = null;
            if (options.splitPositives()) {
                boolean[] pos = TeacherPredictionMatcher.positives(p, options.tauPos());
                positive.add(pos);
                w = new double[pos.length];
                for (int i = 0; i < pos.length; i++) w[i] = pos[i] ? 1.0 : options.lambdaNeg();
            }
            soft.add(new SoftTargets(p, bx, w));
        }
        EncodedTargets e = encoder.encodeSoft(assignments, soft, 1.0);
        if (!options.splitPositives() || e.numMatched() == 0) return e;
        double[] boxWeight = e.boxWeight().castTo(DataType.DOUBLE).toDoubleVector();
        int m = 0;
        for (int b = 0; b < assignments.size(); b++) {
            for (int t : assignments.get(b).targetIndex()) {
                boxWeight[m++] = positive.get(b)[t] ? 1.0 : 0.0;
            }
        }
        return new EncodedTargets(e.classTarget(), e.queryWeight(), e.srcIndex(), e.targetBoxes(),
                Nd4j.createFromArray(boxWeight).castTo(e.boxWeight().dataType()), e.numMatched());
    }
}
