package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.internal.dl4j.Gathers;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.DistillTerm;
import org.detrdistill.distill.Teacher;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * DETRDistill's query relation distillation (METHOD §2d; the official {@code MoCoCLHead} with
 * {@code mid_channels = 512}, {@code T = 0.07}, cross-entropy weight 0.2), term name {@value #NAME}. For every student
 * stage {@code j} and its teacher stage {@code t(j)} ({@link StageGrouping}, as {@code kd_logits} and {@code kd_assign}):
 * <ol>
 *   <li>match the student's stage-j predictions to all teacher stage-t(j) predictions, one to one, with the logits
 *   distillation's Hungarian matching (METHOD §2a: {@link MatcherConfig#detrDistill()}, soft BCE class cost against the
 *   teacher's sigmoid scores, L1 5, GIoU 2);</li>
 *   <li>stack the P matched pairs of the batch (images in order, student queries ascending): student hidden states
 *   {@code S [P,d_S]} (gathered in the graph from {@code stage_j/hidden}) and teacher hidden states {@code T [P,d_T]};</li>
 *   <li>project both ({@link ProjectionHead}, one head for the student side, one for the teacher side, each shared by
 *   all stages) and L2-normalise: {@code Ŝ, T̂ [P,512]};</li>
 *   <li>{@code L_rel^j = weight · mean_i CE(T̂ Ŝᵀ / τ, i)}: row i (a teacher embedding) must pick its own student.</li>
 * </ol>
 * The returned {@code kd_relation_<j>} include {@code weight} (default 1). The official loss weight 0.2 is λ_rel,
 * applied by {@link org.detrdistill.distill.DistillationObjective}'s weight map (METHOD §2: λ_rel = 0.2).
 *
 * <p><b>Matching:</b> computed here, per step, from the student's stage logits/boxes of the matching forward pass and
 * the teacher's outputs ({@link DistillContext} carries no matching of another term). With the same matcher
 * configuration it is the matching of the logits distillation (the solver is deterministic); pass the logits term's
 * {@link MatcherConfig} through {@link Options#matcher()} if it differs from the default. When {@code Q_S > Q_T} only
 * the matched student queries take part (the official code assumes {@code Q_S = Q_T}).
 *
 * <p>Placeholders: {@code kd_relation/<j>/student_index} INT {@code [P]} (row {@code b·Q_S + q} of the flattened
 * student hidden states), {@code kd_relation/<j>/teacher_hidden [P,d_T]} (student data type).
 * Parameters: {@code kd_relation.student.*} and {@code kd_relation.teacher.*} ({@link ProjectionHead}).
 */
public final class QueryRelationDistillation implements DistillTerm {
    /** The term name. */
    public static final String NAME = "kd_relation";

    /**
     * Options.
     *
     * @param projectionDim width of the projection (512)
     * @param temperature   InfoNCE temperature τ (0.07)
     * @param weight        extra factor applied inside the term (default 1: the official 0.2 is λ_rel, applied by
     *                      {@code DistillationObjective}'s weight map like every other λ)
     * @param teacherWidth  the teacher's hidden width {@code d_T}; 0 = the student's width
     * @param matcher       the student-to-teacher matching cost ({@link MatcherConfig#detrDistill()})
     * @param seed          seed of the projection heads' initialisation
     */
    public record Options(int projectionDim, double temperature, double weight, int teacherWidth, MatcherConfig matcher,
                          long seed) {
        public Options {
            if (projectionDim < 1) throw new IllegalArgumentException(NAME + ": projectionDim must be >= 1, got " + projectionDim);
            if (!(temperature > 0 && temperature < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(NAME + ": temperature must be finite and > 0, got " + temperature);
            }
            if (!(weight >= 0 && weight < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(NAME + ": weight must be finite and >= 0, got " + weight);
            }
            if (teacherWidth < 0) throw new IllegalArgumentException(NAME + ": teacherWidth must be >= 0, got " + teacherWidth);
            Objects.requireNonNull(matcher, NAME + ": matcher");
        }

        /** 512, τ 0.07, weight 1 (λ_rel = 0.2 comes from the objective's weight map), teacher width = student width, DETRDistill matcher, seed 0. */
        public static Options defaults() { return builder().build(); }

        public static Builder builder() { return new Builder(); }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private int projectionDim = 512;
            private double temperature = 0.07;
            private double weight = 1.0;
            private int teacherWidth;
            private MatcherConfig matcher = MatcherConfig.detrDistill();
            private long seed;

            private Builder() {}

            public Builder projectionDim(int v) { projectionDim = v; return this; }
            public Builder temperature(double v) { temperature = v; return this; }
            public Builder weight(double v) { weight = v; return this; }
            public Builder teacherWidth(int v) { teacherWidth = v; return this; }
            public Builder matcher(MatcherConfig v) { matcher = v; return this; }
            public Builder seed(long v) { seed = v; return this; }
            public Options build() { return new Options(projectionDim, temperature, weight, teacherWidth, matcher, seed); }
        }
    }

    private final Options options;
    private final DetectorGraph student;
    private final HungarianMatcher matcher;
    private final int[] teacherStage;
    private final int studentWidth;
    private final int teacherWidth;

    /**
     * @throws IllegalArgumentException if the teacher has no decoder stage
     */
    public QueryRelationDistillation(DetectorGraph student, Teacher teacher, Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.student = Objects.requireNonNull(student, "student");
        if (teacher.numStages() < 1) {
            throw new IllegalArgumentException(NAME + ": the teacher (" + teacher.describe() + ") has no decoder stage; "
                    + "query relation distillation needs its stage logits, boxes and hidden states");
        }
        this.teacherStage = StageGrouping.of(teacher.numStages(), student.numStages()).mapping();
        this.matcher = new HungarianMatcher(options.matcher());
        this.studentWidth = student.config().hiddenDim();
        this.teacherWidth = FeatureLevels.teacherWidth(options.teacherWidth(), student);
    }

    /** The options this term was created with. */
    public Options options() { return options; }

    @Override public String name() { return NAME; }

    @Override public Set<String> studentOutputs() {
        return DetectorNames.stagePredictions(teacherStage.length);
    }

    @Override public Set<String> teacherOutputs() {
        Set<String> out = new LinkedHashSet<>();
        for (int t : teacherStage) {
            out.add(DetectorNames.stageLogits(t));
            out.add(DetectorNames.stageBoxes(t));
            out.add(DetectorNames.stageHidden(t));
        }
        return out;
    }

    @Override
    public Map<String, SDVariable> build(DetectorGraph graph, Teacher teacher) {
        if (graph != student) throw new IllegalArgumentException(NAME + ": built on another student graph than the one it was created for");
        SameDiff sd = graph.sameDiff();
        ParamFactory params = new ParamFactory(sd, graph.dataType(), options.seed());
        ProjectionHead studentHead = new ProjectionHead(params, NAME + ".student", studentWidth, options.projectionDim());
        ProjectionHead teacherHead = new ProjectionHead(params, NAME + ".teacher", teacherWidth, options.projectionDim());
        Map<String, SDVariable> out = new LinkedHashMap<>();
        for (int j = 0; j < teacherStage.length; j++) {
            SDVariable loss = stageLoss(sd, j, sd.getVariable(DetectorNames.stageHidden(j)), studentHead, teacherHead,
                    graph.dataType(), options.temperature(), options.weight());
            out.put(NAME + "_" + j, loss);
        }
        return out;
    }

    /**
     * The loss of student stage {@code j} on given student hidden states (the part of {@link #build} below the
     * detector): gathers the matched rows, projects both sides, InfoNCE, times {@code weight}.
     *
     * @param hidden {@code [B,Q_S,d_S]} student hidden states of the stage
     * @return the scalar {@code kd_relation_<j>}
     */
    static SDVariable stageLoss(SameDiff sd, int j, SDVariable hidden, ProjectionHead studentHead,
                                ProjectionHead teacherHead, DataType type, double temperature, double weight) {
        SDVariable flat = sd.reshape(hidden, -1, studentHead.in());                                  // [B·Q,d_S]
        SDVariable index = sd.placeHolder(studentIndex(j), DataType.INT, -1);
        SDVariable s = Gathers.rows(sd, flat, index);                                              // [P,d_S]
        SDVariable t = sd.placeHolder(teacherHidden(j), type, -1, teacherHead.in());               // [P,d_T]
        return infoNce(sd, teacherHead.apply(t), studentHead.apply(s), temperature).mul(weight).rename(NAME + "_" + j);
    }

    /**
     * {@code mean_i [logsumexp_j L_ij − L_ii]} with {@code L = anchors · positivesᵀ / τ}: the cross-entropy of each row
     * against its diagonal label. The log-sum-exp subtracts the row maximum (its gradient cancels).
     *
     * @param anchors   {@code [P,D]} (teacher side)
     * @param positives {@code [P,D]} (student side), row i the positive of anchor i
     * @return scalar
     */
    static SDVariable infoNce(SameDiff sd, SDVariable anchors, SDVariable positives, double temperature) {
        SDVariable logits = sd.mmul(anchors, positives, false, true, false).div(temperature);     // [P,P]
        SDVariable max = logits.max(true, 1);
        SDVariable lse = max.add(sd.math.log(sd.math.exp(logits.sub(max)).sum(true, 1)));        // [P,1]
        SDVariable diag = anchors.mul(positives).sum(true, 1).div(temperature);                  // [P,1]
        return lse.sub(diag).mean();
    }

    @Override
    public Map<String, INDArray> feeds(DistillContext context) {
        Map<String, INDArray> feeds = new LinkedHashMap<>();
        for (int j = 0; j < teacherStage.length; j++) {
            int t = teacherStage[j];
            INDArray sLogits = context.student().get(DetectorNames.stageLogits(j));
            INDArray sBoxes = context.student().get(DetectorNames.stageBoxes(j));
            if (sLogits == null || sBoxes == null) {
                throw new IllegalArgumentException(NAME + ": the student outputs of this step lack stage " + j + " logits/boxes");
            }
            INDArray tLogits = context.teacher().get(DetectorNames.stageLogits(t));
            INDArray tHidden = context.teacher().get(DetectorNames.stageHidden(t));
            if (tHidden.rank() != 3 || tHidden.size(2) != teacherWidth) {
                throw new IllegalArgumentException(NAME + ": teacher " + DetectorNames.stageHidden(t) + " must be [B,Q_T,"
                        + teacherWidth + "] (option teacherWidth), got " + java.util.Arrays.toString(tHidden.shape()));
            }
            INDArray probs = Transforms.sigmoid(tLogits.castTo(DataType.DOUBLE), true);
            List<Assignment> pairs = matcher.matchSoft(sLogits, sBoxes,
                    context.teacher().get(DetectorNames.stageBoxes(t)), probs);
            Pairs p = Pairs.of(pairs, (int) sLogits.size(1), tHidden, student.dataType());
            if (p.index.length == 0) {
                throw new IllegalStateException(NAME + ": stage " + j + " matched no (student, teacher) pair");
            }
            feeds.put(studentIndex(j), Nd4j.createFromArray(p.index));
            feeds.put(teacherHidden(j), p.teacher);
        }
        return feeds;
    }

    /** The stacked pairs of one stage: flat student rows and the teacher hidden states they were matched to. */
    record Pairs(int[] index, INDArray teacher) {
        static Pairs of(List<Assignment> assignments, int studentQueries, INDArray teacherHidden, DataType type) {
            int total = 0;
            for (Assignment a : assignments) total += a.size();
            int[] index = new int[total];
            INDArray teacher = Nd4j.create(type, total, teacherHidden.size(2));
            int row = 0;
            for (int b = 0; b < assignments.size(); b++) {
                Assignment a = assignments.get(b);
                for (int i = 0; i < a.size(); i++, row++) {
                    index[row] = b * studentQueries + a.queryIndex()[i];
                    teacher.getRow(row).assign(teacherHidden.get(NDArrayIndex.point(b), NDArrayIndex.point(a.targetIndex()[i]),
                            NDArrayIndex.all()).castTo(type));
                }
            }
            return new Pairs(index, teacher);
        }
    }

    /** Placeholder {@code kd_relation/<j>/student_index}: INT {@code [P]}. */
    public static String studentIndex(int j) { return NAME + "/" + j + "/student_index"; }

    /** Placeholder {@code kd_relation/<j>/teacher_hidden}: {@code [P,d_T]}. */
    public static String teacherHidden(int j) { return NAME + "/" + j + "/teacher_hidden"; }

    /** The teacher stage distilling each student stage. */
    public int[] teacherStages() { return teacherStage.clone(); }
}
