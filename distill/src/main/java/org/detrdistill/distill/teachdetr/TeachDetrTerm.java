package org.detrdistill.distill.teachdetr;

import org.detrdistill.core.loss.CriterionConfig;
import org.detrdistill.core.loss.CriterionGraph;
import org.detrdistill.core.loss.EncodedTargets;
import org.detrdistill.core.loss.SetCriterion;
import org.detrdistill.core.loss.SoftTargets;
import org.detrdistill.core.loss.Stage;
import org.detrdistill.core.loss.TargetEncoder;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.DistillTerm;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.TeacherOutputs;
import org.detrdistill.distill.TeacherSpec;
import org.detrdistill.distill.TermContext;
import org.detrdistill.distill.TermOptions;
import org.detrdistill.distill.teacher.DetectorTeacher;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Teach-DETR (METHOD §3): the boxes of one or more teachers as extra, independent target sets. For every teacher and
 * every student decoder stage, the student's predictions are matched one-to-one (Hungarian, the main matcher's cost)
 * to that teacher's boxes, and the detection loss is computed with the teacher's boxes and classes as targets:
 * <pre>
 *   N_t      = number of teacher t's boxes in the batch (at least 1)
 *   L_ce     = Σ_{b,q,c} w_bq · focal(s_bqc, onehot(label)_bqc) / N_t   w = the matched box's teacher score, 0.5 when
 *                                                                      the query matches none of t's boxes
 *   L_L1     = Σ_pairs score · |b^S − b^t|_1 / N_t,   L_GIoU = Σ_pairs score · (1 − GIoU) / N_t
 *   teach_detr_&lt;t&gt; = λ_t · Σ_stages (2·L_ce + 5·L_L1 + 2·L_GIoU)
 * </pre>
 * Each teacher has its own criterion (prefix {@code teach_detr/<t>/}) and its own λ_t, which is applied inside the
 * returned variable {@code teach_detr_<t>}; the objective's λ of the whole term (default 1) multiplies all of them.
 *
 * <p>Teachers: any {@link Teacher} with box-level outputs ({@link TeacherOutputs#boxes()}): a
 * {@link org.detrdistill.distill.teacher.ResultsFileTeacher} or a detector teacher ({@link DetectorTeacher}); their score threshold and
 * per-image cap (at most 50) are applied by the teacher. A teacher that is the objective's teacher is read from the
 * step's {@link DistillContext} (it already ran for this batch); every other teacher is run by this term, once per step.
 * Teachers may differ from the student in anything except the label space (a native teacher must predict the
 * student's classes and share its canvas).
 */
public final class TeachDetrTerm implements DistillTerm {
    /** The term's name. */
    public static final String NAME = "teach_detr";
    private static final Pattern SOURCE_NAME = Pattern.compile("[A-Za-z0-9_]+");

    /**
     * One teacher of the term.
     *
     * @param name    identifier in variable names ({@code [A-Za-z0-9_]+}), unique within the term
     * @param teacher gives boxes, scores and labels per image
     * @param lambda  its weight λ_t ({@code >= 0}, default 1)
     */
    public record Source(String name, Teacher teacher, double lambda) {
        public Source {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(teacher, "teacher");
            if (!SOURCE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("Teach-DETR teacher name must match [A-Za-z0-9_]+, got '" + name + "'");
            }
            if (!(lambda >= 0 && Double.isFinite(lambda))) {
                throw new IllegalArgumentException("Teach-DETR teacher '" + name + "': lambda must be finite and >= 0, got " + lambda);
            }
        }
    }

    private final List<Source> sources;
    private final int studentStages;
    private final TeachDetrOptions options;
    private final HungarianMatcher matcher;
    private final List<CriterionGraph> criteria = new ArrayList<>();
    private Teacher contextTeacher;
    private TargetEncoder encoder;
    private int numClasses;
    private List<String> stageNames;

    /**
     * @param sources       the teachers, at least one, distinct names
     * @param studentStages the student's decoder stages {@code L_S} (every stage is supervised)
     */
    public TeachDetrTerm(List<Source> sources, int studentStages, TeachDetrOptions options) {
        if (sources.isEmpty()) throw new IllegalArgumentException("Teach-DETR needs at least one teacher");
        Set<String> names = new HashSet<>();
        for (Source s : sources) {
            if (!names.add(s.name())) throw new IllegalArgumentException("Teach-DETR teacher name '" + s.name() + "' is used twice");
        }
        if (studentStages < 1) throw new IllegalArgumentException("studentStages must be >= 1, got " + studentStages);
        this.sources = List.copyOf(sources);
        this.studentStages = studentStages;
        this.options = Objects.requireNonNull(options, "options");
        this.matcher = new HungarianMatcher(options.matcher());
    }

    /** One teacher named {@code teacher} with λ 1, default options. */
    public static TeachDetrTerm of(DetectorGraph student, Teacher teacher) {
        return new TeachDetrTerm(List.of(new Source("teacher", teacher, 1.0)), student.numStages(), TeachDetrOptions.defaults());
    }

    /** Option names accepted by {@link #create}. */
    public static final Set<String> OPTIONS = Set.of("primary", "primaryLambda", "teachers", "unmatchedWeight");

    /**
     * The registry factory. Options: {@code primary} (default true: the config's main teacher is one of the teachers,
     * named {@code teacher}, with λ {@code primaryLambda}, default 1), {@code teachers} (further teachers:
     * {@code [{"name", "lambda", "checkpoint"|"results", "scoreThreshold", "maxPerImage"}]}, loaded with the context's
     * loader), {@code unmatchedWeight} (0.5). The matcher is the student's main matcher.
     *
     * @throws IllegalArgumentException on a bad option (naming it) or when no teacher is left
     */
    public static TeachDetrTerm create(TermOptions options, TermContext context) {
        options.requireOnly(OPTIONS);
        List<Source> sources = new ArrayList<>();
        if (options.getBoolean("primary", true)) {
            sources.add(new Source("teacher", context.teacher(), options.getDouble("primaryLambda", 1.0)));
        }
        List<Map<String, Object>> extra = options.getObjects("teachers");
        for (int i = 0; i < extra.size(); i++) {
            String where = options.where() + ".teachers[" + i + "]";
            TermOptions t = new TermOptions(where, extra.get(i));
            TeacherSpec spec = TeacherSpec.fromMap(extra.get(i), where, Set.of("name", "lambda"));
            String name = t.getString("name", "teacher" + i);
            double lambda = t.getDouble("lambda", 1.0);
            sources.add(new Source(name, context.teachers().load(spec), lambda));
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException(options.where() + ": no teacher: set 'primary' to true or list 'teachers'");
        }
        TeachDetrOptions o = TeachDetrOptions.defaults().withMatcher(context.matcher())
                .withUnmatchedWeight(options.getDouble("unmatchedWeight", 0.5));
        return new TeachDetrTerm(sources, context.student().numStages(), o);
    }

    @Override public String name() { return NAME; }

    public List<Source> sources() { return sources; }

    public TeachDetrOptions options() { return options; }

    /** Per source, in order: its criterion's variables (after {@link #build}). */
    public List<CriterionGraph> criteria() { return List.copyOf(criteria); }

    @Override
    public Set<String> studentOutputs() {
        return DetectorNames.stagePredictions(studentStages);
    }

    /** None by name: boxes, scores and labels come from {@link TeacherOutputs#boxes()} and its siblings. */
    @Override public Set<String> teacherOutputs() { return Set.of(); }

    @Override
    public Map<String, SDVariable> build(DetectorGraph student, Teacher teacher) {
        if (student.numStages() != studentStages) {
            throw new IllegalArgumentException(NAME + ": built for " + studentStages + " student stages, the student has "
                    + student.numStages());
        }
        for (Source s : sources) {
            if (s.teacher() instanceof DetectorTeacher t) {
                t.requireSameCanvas(student.config(), NAME + " (" + s.name() + ")");
                t.requireSameClasses(student.config(), NAME + " (" + s.name() + ")",
                        "the teacher's labels become the student's class targets");
            }
        }
        SameDiff sd = student.sameDiff();
        List<Stage> stages = new ArrayList<>();
        for (int j = 0; j < studentStages; j++) {
            stages.add(Stage.aux(j, sd.getVariable(DetectorNames.stageLogits(j)), sd.getVariable(DetectorNames.stageBoxes(j))));
        }
        return attach(sd, stages, student.config().numQueries(), student.config().numClasses(), student.dataType(), teacher);
    }

    /**
     * The graph part on any stage variables (what {@link #build} does on a detector).
     *
     * @param stages         one per student stage, named {@code aux_<j>}: logits {@code [B,Q,C]}, boxes {@code [B,Q,4]}
     * @param contextTeacher the objective's teacher (read from the context instead of being run), or null
     * @return {@code teach_detr_<t>} → λ_t · Σ_stages of teacher t's weighted criterion
     */
    public Map<String, SDVariable> attach(SameDiff sd, List<Stage> stages, int numQueries, int numClasses, DataType dataType,
                                         Teacher contextTeacher) {
        if (stages.size() != studentStages) {
            throw new IllegalArgumentException(NAME + ": " + stages.size() + " stages given, built for " + studentStages);
        }
        this.contextTeacher = contextTeacher;
        this.numClasses = numClasses;
        CriterionConfig cfg = options.criterion(numClasses);
        encoder = TargetEncoder.forConfig(cfg, numQueries, dataType);
        stageNames = stages.stream().map(Stage::name).toList();
        criteria.clear();
        Map<String, SDVariable> out = new LinkedHashMap<>();
        for (Source s : sources) {
            CriterionGraph g = new SetCriterion(cfg, NAME + "/" + s.name() + "/").build(sd, stages);
            criteria.add(g);
            String key = NAME + "_" + s.name();
            out.put(key, sd.updateVariableNameAndReference(g.total().mul(s.lambda()), key));
        }
        return out;
    }

    @Override
    public Map<String, INDArray> feeds(DistillContext context) {
        List<INDArray> logits = new ArrayList<>(), boxes = new ArrayList<>();
        for (int j = 0; j < studentStages; j++) {
            logits.add(context.student().get(DetectorNames.stageLogits(j)));
            boxes.add(context.student().get(DetectorNames.stageBoxes(j)));
        }
        List<TeacherOutputs> perSource = new ArrayList<>();
        for (Source s : sources) {
            perSource.add(s.teacher() == contextTeacher ? context.teacher() : s.teacher().run(context.batch()));
        }
        return feeds(logits, boxes, perSource);
    }

    /**
     * The placeholder values of one step from arrays.
     *
     * @param studentLogits {@code [B,Q,C]} per student stage
     * @param studentBoxes  {@code [B,Q,4]} per student stage
     * @param perSource     each source's outputs for this batch (boxes {@code [n_b,4]} cxcywh normalised, scores,
     *                      labels per image), in source order
     * @throws IllegalArgumentException a teacher gave no box-level outputs for every image, or a label outside the
     *                                  student's classes (naming the teacher)
     */
    public Map<String, INDArray> feeds(List<INDArray> studentLogits, List<INDArray> studentBoxes, List<TeacherOutputs> perSource) {
        if (encoder == null) throw new IllegalStateException(NAME + ": build or attach first");
        int batch = (int) studentLogits.get(0).size(0);
        Map<String, INDArray> feeds = new LinkedHashMap<>();
        for (int s = 0; s < sources.size(); s++) {
            List<SoftTargets> targets = targets(sources.get(s), perSource.get(s), batch);
            long total = targets.stream().mapToLong(SoftTargets::size).sum();
            Map<String, EncodedTargets> encoded = new LinkedHashMap<>();
            for (int j = 0; j < studentStages; j++) {
                List<Assignment> a = new ArrayList<>(batch);
                for (int b = 0; b < batch; b++) {
                    SoftTargets t = targets.get(b);
                    a.add(t.size() == 0 ? Assignment.empty() : matcher.matchImage(image(studentLogits.get(j), b),
                            image(studentBoxes.get(j), b), t.boxes(), labels(perSource.get(s), b)));
                }
                encoded.put(stageNames.get(j), encoder.encodeSoft(a, targets, options.unmatchedWeight()));
            }
            feeds.putAll(criteria.get(s).feed(encoded, Math.max(total, 1)));
        }
        return feeds;
    }

    /** One-hot class targets, the teacher's boxes, and its scores as weights, per image. */
    private List<SoftTargets> targets(Source source, TeacherOutputs out, int batch) {
        if (out.boxes().size() != batch || out.scores().size() != batch || out.labels().size() != batch) {
            throw new IllegalArgumentException(NAME + ": teacher '" + source.name() + "' (" + source.teacher().describe()
                    + ") gave box-level outputs for " + out.boxes().size() + " images, the batch has " + batch);
        }
        List<SoftTargets> list = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[] labels = out.labels().get(b);
            double[] scores = out.scores().get(b);
            INDArray onehot = Nd4j.zeros(DataType.DOUBLE, labels.length, numClasses);
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= numClasses) {
                    throw new IllegalArgumentException(NAME + ": teacher '" + source.name() + "' gave label " + labels[i]
                            + " (image " + b + ", box " + i + ") outside the student's classes [0, " + numClasses + ")");
                }
                onehot.putScalar(i, labels[i], 1.0);
            }
            list.add(new SoftTargets(onehot, out.boxes().get(b).castTo(DataType.DOUBLE), scores.clone()));
        }
        return list;
    }

    private static int[] labels(TeacherOutputs out, int b) {
        return out.labels().get(b);
    }

    private static INDArray image(INDArray a, int b) {
        return a.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
