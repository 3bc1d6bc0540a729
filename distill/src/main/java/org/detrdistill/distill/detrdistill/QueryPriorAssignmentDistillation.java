package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.loss.CriterionConfig;
import org.detrdistill.core.loss.CriterionGraph;
import org.detrdistill.core.loss.EncodedTargets;
import org.detrdistill.core.loss.SetCriterion;
import org.detrdistill.core.loss.Stage;
import org.detrdistill.core.loss.TargetEncoder;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.QueryGroup;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.datasets.batch.ImageTarget;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.DistillTerm;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.TermContext;
import org.detrdistill.distill.TermOptions;
import org.detrdistill.distill.teacher.DetectorTeacher;
import org.detrdistill.distill.teacher.NativeTeacher;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * DETRDistill's query-prior assignment distillation (METHOD §2c). The teacher's learned object queries
 * ({@value DetectorNames#QUERY_EMBED}, through {@link QueryAdapter} when the widths differ) run through the student's
 * decoder as an extra query group ({@link DetectorGraph#addQueryGroup}, group {@value DetectorNames#QUERY_PRIOR}), on
 * the student's own features, in a separate pass with the student's weights. The targets are the teacher's own
 * Hungarian assignment of its predictions to the ground truth, held fixed: at student stage {@code j} (teacher stage
 * {@code t = grouping.teacherStage(j)}, {@link StageGrouping}) the prediction from teacher query {@code i} is trained
 * towards the ground-truth box assigned to teacher query {@code i} at stage {@code t}; unassigned queries towards
 * background. Per student stage, with {@code N = max(#GT boxes in the batch, 1)}:
 * <pre>
 *   L^j = 2 · Σ_{b,i,c} focal(s_bic, y_bic) / N + 5 · Σ_assigned |b_bi − g|_1 / N + 2 · Σ_assigned (1 − GIoU(b_bi, g)) / N
 * </pre>
 * (focal α 0.25, γ 2: the detection loss with fixed indices instead of a matching). The losses {@code kd_assign_<j>}
 * are returned unweighted (λ_assign = 1 by default). Training only: the student's own outputs, and so inference, do not
 * depend on the group.
 *
 * <p>Teacher assignments: {@link org.detrdistill.distill.TeacherOutputs#assignments()} per teacher stage (a
 * {@link NativeTeacher} computes them for every stage with the main matcher); a teacher that gives none is matched here
 * with {@code matcher} from its stage logits and boxes.
 *
 * <p>Variables: placeholder {@value #TEACHER_QUERIES} {@code [Q_T, dq_T]}; criterion placeholders
 * {@code kd_assign/targets/aux_<j>/...} and {@code kd_assign/targets/num_boxes}; terms {@code kd_assign/loss_ce_<j>},
 * {@code kd_assign/loss_bbox_<j>}, {@code kd_assign/loss_giou_<j>}; parameters {@code kd_assign.adapter.<p>.*} only when
 * the query widths differ. Teacher and student must be of the same variant (the query form), have the same classes and
 * canvas, and the teacher at least as many stages as the student.
 */
public final class QueryPriorAssignmentDistillation implements DistillTerm {
    /** The term name. */
    public static final String NAME = "kd_assign";
    /** Placeholder {@code [Q_T, dq_T]}: the teacher's query embedding, fed each step from its outputs. */
    public static final String TEACHER_QUERIES = NAME + "/teacher_query_embed";

    /**
     * Options.
     *
     * @param teacherQueries    Q_T; 0 = a native teacher's {@code numQueries}
     * @param teacherQueryWidth dq_T, the width of the teacher's {@code query_embed}; 0 = a native teacher's
     * @param classWeight       weight of the focal term (2)
     * @param bboxWeight        weight of the L1 term (5)
     * @param giouWeight        weight of the GIoU term (2)
     * @param seed              seed of the adapter initialisation
     */
    public record Options(int teacherQueries, int teacherQueryWidth, double classWeight, double bboxWeight,
                         double giouWeight, long seed) {
        public Options {
            if (teacherQueries < 0) throw new IllegalArgumentException(NAME + ": teacherQueries must be >= 0, got " + teacherQueries);
            if (teacherQueryWidth < 0) {
                throw new IllegalArgumentException(NAME + ": teacherQueryWidth must be >= 0, got " + teacherQueryWidth);
            }
            for (double w : new double[]{classWeight, bboxWeight, giouWeight}) {
                if (!(w >= 0 && Double.isFinite(w))) {
                    throw new IllegalArgumentException(NAME + ": loss weights must be finite and >= 0, got " + w);
                }
            }
        }

        /** Focal 2, L1 5, GIoU 2; teacher sizes from a native teacher; seed 0. */
        public static Options defaults() { return builder().build(); }

        /** The option names of {@link #from}. */
        public static final Set<String> NAMES = Set.of("teacherQueries", "teacherQueryWidth", "classWeight", "bboxWeight",
                "giouWeight", "seed");

        /** From a configuration's term options (unknown names fail, listing {@link #NAMES}). */
        public static Options from(TermOptions o) {
            o.requireOnly(NAMES);
            Options d = defaults();
            return new Options(o.getInt("teacherQueries", d.teacherQueries()), o.getInt("teacherQueryWidth", d.teacherQueryWidth()),
                    o.getDouble("classWeight", d.classWeight()), o.getDouble("bboxWeight", d.bboxWeight()),
                    o.getDouble("giouWeight", d.giouWeight()), o.getInt("seed", (int) d.seed()));
        }

        public static Builder builder() { return new Builder(); }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private int teacherQueries, teacherQueryWidth;
            private double classWeight = 2, bboxWeight = 5, giouWeight = 2;
            private long seed;

            private Builder() {}

            public Builder teacherQueries(int v) { teacherQueries = v; return this; }
            public Builder teacherQueryWidth(int v) { teacherQueryWidth = v; return this; }
            public Builder classWeight(double v) { classWeight = v; return this; }
            public Builder bboxWeight(double v) { bboxWeight = v; return this; }
            public Builder giouWeight(double v) { giouWeight = v; return this; }
            public Builder seed(long v) { seed = v; return this; }
            public Options build() { return new Options(teacherQueries, teacherQueryWidth, classWeight, bboxWeight, giouWeight, seed); }
        }
    }

    private final Options options;
    private final DetectorGraph student;
    private final StageGrouping grouping;
    private final QueryAdapter adapter;
    private final int teacherQueries;
    private final HungarianMatcher matcher;
    private CriterionGraph criterion;
    private TargetEncoder encoder;
    private QueryGroup group;

    /**
     * @param student the student graph the term will be built on (it gets the query group)
     * @param teacher the teacher: its stages, and for a {@link NativeTeacher} its variant, query count and width
     * @param matcher the cost of the teacher's assignment when the teacher does not give one (the main matcher)
     * @throws IllegalArgumentException when teacher and student do not allow the term, saying why
     */
    public QueryPriorAssignmentDistillation(DetectorGraph student, Teacher teacher, MatcherConfig matcher, Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.student = Objects.requireNonNull(student, "student");
        this.matcher = new HungarianMatcher(Objects.requireNonNull(matcher, "matcher"));
        this.grouping = StageGrouping.of(teacher.numStages(), student.numStages());
        int q = options.teacherQueries(), width = options.teacherQueryWidth();
        if (teacher instanceof DetectorTeacher d) {
            d.requireSameCanvas(student.config(), NAME);
            d.requireSameClasses(student.config(), NAME, "the teacher's assignment to the ground truth is reused as the "
                    + "student's target");
        }
        if (teacher instanceof NativeTeacher t) {
            if (t.config().variant() != student.config().variant()) {
                throw new IllegalArgumentException(NAME + ": the teacher is a " + t.config().variant() + ", the student a "
                        + student.config().variant() + "; query-prior assignment distillation runs the teacher's object queries "
                        + "through the student's decoder, so both need the same query form (" + QueryAdapter.form(student.config().variant())
                        + " for the student)");
            }
            if (q == 0) q = t.config().numQueries();
            if (width == 0) width = t.detector().queryWidth();
        }
        if (q == 0 || width == 0) {
            throw new IllegalArgumentException(NAME + ": the teacher (" + teacher.describe() + ") is not a native detector, so give "
                    + "its query count and query_embed width as the options teacherQueries and teacherQueryWidth");
        }
        this.teacherQueries = q;
        this.adapter = QueryAdapter.of(NAME + ".adapter", student.config().variant(), width, student.queryWidth());
    }

    /**
     * A term without a detector, for {@link #attach} and {@link #feeds(List, List)} on bare variables (tests, other
     * graphs); {@link #build} and {@link #feeds(DistillContext)} are not available.
     *
     * @param grouping       which teacher stage's assignment supervises each student stage
     * @param teacherQueries Q_T
     */
    public QueryPriorAssignmentDistillation(StageGrouping grouping, int teacherQueries, Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.grouping = Objects.requireNonNull(grouping, "grouping");
        if (teacherQueries < 1) throw new IllegalArgumentException(NAME + ": teacherQueries must be >= 1, got " + teacherQueries);
        this.teacherQueries = teacherQueries;
        this.student = null;
        this.adapter = null;
        this.matcher = null;
    }

    /** The registry factory: options from a config ({@link Options#from}), the main teacher, the main matcher. */
    public static QueryPriorAssignmentDistillation create(TermOptions options, TermContext context) {
        return new QueryPriorAssignmentDistillation(context.student(), context.teacher(), context.matcher(), Options.from(options));
    }

    @Override public String name() { return NAME; }

    public Options options() { return options; }

    public StageGrouping grouping() { return grouping; }

    /** Q_T, the size of the query group. */
    public int teacherQueries() { return teacherQueries; }

    /** The adapter from the teacher's to the student's query form. */
    public QueryAdapter adapter() { return adapter; }

    /** The student's query group (after {@link #build}). */
    public QueryGroup group() { return group; }

    /** No student output: the targets come from the teacher and the ground truth only. */
    @Override public Set<String> studentOutputs() { return Set.of(); }

    @Override
    public Set<String> teacherOutputs() {
        Set<String> s = new LinkedHashSet<>(List.of(DetectorNames.QUERY_EMBED));
        s.addAll(grouping.teacherPredictions());
        return s;
    }

    /** Adds the teacher-query placeholder, the adapter, the student's query group and the criterion on the group. */
    @Override
    public Map<String, SDVariable> build(DetectorGraph graph, Teacher teacher) {
        if (student == null) throw new IllegalStateException(NAME + ": created without a student graph; use attach");
        if (graph != student) throw new IllegalArgumentException(NAME + ": built on another student graph than the one it was created for");
        if (teacher.numStages() != grouping.teacherStages()) {
            throw new IllegalArgumentException(NAME + ": built for " + grouping + " but the teacher has " + teacher.numStages() + " stages");
        }
        SameDiff sd = graph.sameDiff();
        SDVariable queries = sd.placeHolder(TEACHER_QUERIES, graph.dataType(), teacherQueries, adapter.teacherWidth());
        SDVariable adapted = adapter.apply(new ParamFactory(sd, graph.dataType(), options.seed()), queries);
        group = graph.addQueryGroup(DetectorNames.QUERY_PRIOR, adapted, teacherQueries);
        List<Stage> stages = new ArrayList<>();
        for (int j = 0; j < grouping.studentStages(); j++) {
            stages.add(Stage.aux(j, sd.getVariable(group.stageLogits(j)), sd.getVariable(group.stageBoxes(j))));
        }
        return attach(sd, stages, graph.config().numClasses(), graph.dataType());
    }

    /**
     * The loss graph on any stage variables (what {@link #build} adds on the query group; tests use bare variables).
     *
     * @param stages one per student stage, named {@code aux_<j>}: logits {@code [B,Q_T,C]}, boxes {@code [B,Q_T,4]}
     * @return {@code kd_assign_<j>} → the unweighted loss of student stage j
     */
    public Map<String, SDVariable> attach(SameDiff sd, List<Stage> stages, int numClasses, DataType dataType) {
        if (stages.size() != grouping.studentStages()) {
            throw new IllegalArgumentException(NAME + ": " + stages.size() + " stages given, " + grouping + " expects " + grouping.studentStages());
        }
        CriterionConfig cfg = CriterionConfig.builder().numClasses(numClasses).clearWeights()
                .weight(CriterionConfig.LOSS_CE, options.classWeight()).weight(CriterionConfig.LOSS_BBOX, options.bboxWeight())
                .weight(CriterionConfig.LOSS_GIOU, options.giouWeight()).build();
        criterion = new SetCriterion(cfg, NAME + "/").build(sd, stages);
        encoder = TargetEncoder.forConfig(cfg, teacherQueries, dataType);
        Map<String, SDVariable> out = new LinkedHashMap<>();
        for (int j = 0; j < stages.size(); j++) {
            SDVariable sum = criterion.stageTotal(stages.get(j).suffix());
            out.put(NAME + "_" + j, sd.updateVariableNameAndReference(sum.mul(1.0), NAME + "_" + j));
        }
        return out;
    }

    @Override
    public Map<String, INDArray> feeds(DistillContext context) {
        if (student == null) throw new IllegalStateException(NAME + ": created without a student graph; use feeds(assignments, targets)");
        INDArray q = context.teacher().get(DetectorNames.QUERY_EMBED);
        if (q.rank() != 2 || q.size(0) != teacherQueries || q.size(1) != adapter.teacherWidth()) {
            throw new IllegalArgumentException(NAME + ": the teacher's " + DetectorNames.QUERY_EMBED + " is " + Arrays.toString(q.shape())
                    + ", the term was built for [" + teacherQueries + ", " + adapter.teacherWidth() + "] (options teacherQueries, "
                    + "teacherQueryWidth)");
        }
        Map<String, INDArray> feeds = new LinkedHashMap<>(feeds(teacherAssignments(context), context.batch().targets()));
        feeds.put(TEACHER_QUERIES, q.castTo(student.dataType()));
        return feeds;
    }

    /**
     * The criterion's placeholders from the teacher's assignments (the part of {@link #feeds(DistillContext)} after the
     * teacher's queries).
     *
     * @param teacherAssignments per TEACHER stage, per image: teacher query index → ground-truth index
     * @param targets            the batch's ground truth
     */
    public Map<String, INDArray> feeds(List<List<Assignment>> teacherAssignments, List<ImageTarget> targets) {
        if (criterion == null) throw new IllegalStateException(NAME + ": build or attach first");
        Map<String, EncodedTargets> encoded = new LinkedHashMap<>();
        for (int j = 0; j < grouping.studentStages(); j++) {
            int t = grouping.teacherStage(j);
            List<Assignment> a = teacherAssignments.get(t);
            if (a.size() != targets.size()) {
                throw new IllegalArgumentException(NAME + ": the teacher's assignment of stage " + t + " has " + a.size()
                        + " images, the batch " + targets.size());
            }
            try {
                encoded.put("aux_" + j, encoder.encode(a, targets));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(NAME + ": teacher stage " + t + ": " + e.getMessage(), e);
            }
        }
        return criterion.feed(encoded, TargetEncoder.numBoxes(targets));
    }

    /** The teacher's own assignment per teacher stage: given by the teacher, or matched here from its predictions. */
    private List<List<Assignment>> teacherAssignments(DistillContext context) {
        List<List<Assignment>> given = context.teacher().assignments();
        if (!given.isEmpty()) {
            if (given.size() != grouping.teacherStages()) {
                throw new IllegalArgumentException(NAME + ": the teacher gave assignments for " + given.size() + " stages, it has "
                        + grouping.teacherStages());
            }
            return given;
        }
        List<List<Assignment>> matched = new ArrayList<>();
        for (int t = 0; t < grouping.teacherStages(); t++) matched.add(null);
        for (int j = 0; j < grouping.studentStages(); j++) {
            int t = grouping.teacherStage(j);
            if (matched.get(t) == null) {
                matched.set(t, matcher.match(context.teacher().get(DetectorNames.stageLogits(t)),
                        context.teacher().get(DetectorNames.stageBoxes(t)), context.batch().targets()));
            }
        }
        return matched;
    }
}
