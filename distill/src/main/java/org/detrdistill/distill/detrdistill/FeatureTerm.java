package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.DistillTerm;
import org.detrdistill.distill.Teacher;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What every feature-imitation term shares (target-aware {@code kd_feat}, FitNet, MGD): the student graph it was
 * created for, the number of feature levels (equal in teacher and student, {@link FeatureLevels#requireSameLevels}),
 * the student width {@code d_S} and the teacher width {@code d_T} (the adapter's output width), the student features
 * {@code feature_<l> [B,d_S,H_l,W_l]} and the teacher features as {@code [B,d_T,H_l,W_l]} arrays of the step.
 *
 * <p>Subclasses add their loss in {@link #build} (on {@link #studentFeatures}) and their feeds in {@link #feeds}
 * (from {@link #teacherFeatures}); the placeholder of the teacher feature of level {@code l} is
 * {@code <name>/teacher_feature_<l>} ({@link #teacherFeaturePlaceholder}).
 */
public abstract class FeatureTerm implements DistillTerm {
    private final String name;
    private final DetectorGraph student;
    private final long seed;
    /** Feature levels, equal in teacher and student. */
    protected final int levels;
    /** Student feature width {@code d_S}. */
    protected final int studentWidth;
    /** Teacher feature width {@code d_T}. */
    protected final int teacherWidth;

    /**
     * @param name         the term name
     * @param student      the student graph the term will be built on
     * @param teacher      the teacher (its feature levels)
     * @param teacherWidth requested teacher width; 0 = the student's ({@link FeatureLevels#teacherWidth})
     * @param seed         seed of the term's parameters (adapters)
     * @throws IllegalArgumentException if the feature levels differ
     */
    protected FeatureTerm(String name, DetectorGraph student, Teacher teacher, int teacherWidth, long seed) {
        this.name = Objects.requireNonNull(name, "name");
        this.student = Objects.requireNonNull(student, "student");
        this.seed = seed;
        this.levels = FeatureLevels.requireSameLevels(name, student, teacher);
        this.studentWidth = student.config().hiddenDim();
        this.teacherWidth = FeatureLevels.teacherWidth(teacherWidth, student);
    }

    @Override public final String name() { return name; }

    /** The student graph this term is built on. */
    protected final DetectorGraph student() { return student; }

    @Override public Set<String> studentOutputs() { return FeatureLevels.names(levels); }

    @Override public Set<String> teacherOutputs() { return FeatureLevels.names(levels); }

    /**
     * The student features {@code feature_<l>}, l = 0..levels-1, of {@code graph}.
     *
     * @throws IllegalArgumentException if {@code graph} is not the graph this term was created for
     */
    protected final List<SDVariable> studentFeatures(DetectorGraph graph) {
        if (graph != student) {
            throw new IllegalArgumentException(name + ": built on another student graph than the one it was created for");
        }
        SameDiff sd = graph.sameDiff();
        List<SDVariable> features = new ArrayList<>();
        for (int l = 0; l < levels; l++) features.add(sd.getVariable(DetectorNames.feature(l)));
        return features;
    }

    /** A parameter factory on {@code graph} with this term's seed. */
    protected final ParamFactory params(DetectorGraph graph) {
        return new ParamFactory(graph.sameDiff(), graph.dataType(), seed);
    }

    /** The step's teacher features, per level {@code [B,d_T,H_l,W_l]} in the student's data type. */
    protected final List<INDArray> teacherFeatures(DistillContext context) {
        return FeatureLevels.teacherFeatures(name, context.teacher(), context.student(), levels, teacherWidth,
                student.dataType());
    }

    /** Placeholder name of the teacher feature of level {@code l} of term {@code term}. */
    public static String teacherFeaturePlaceholder(String term, int l) { return term + "/teacher_feature_" + l; }
}
