package org.detrdistill.distill;

import org.detrdistill.core.model.DetectorGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Set;

/**
 * One distillation loss, as named scalar terms added to the student's graph. Teacher outputs and anything computed in
 * Java (matchings, quality scores, masks) enter through placeholders the term declares in {@link #build}; the
 * {@link DistillationObjective} weighs each term with its λ and adds it to the detection loss.
 *
 * <p>Life cycle: {@link #build} once on the student graph; then per step {@link #feeds} with the step's
 * {@link DistillContext} (teacher outputs, the student's predictions from the matching forward pass, targets).
 */
public interface DistillTerm {

    /** The term's name, used as the prefix of its variables, e.g. {@code kd_logits}. */
    String name();

    /** Student outputs (DetectorNames) the term needs from the matching forward pass, e.g. every stage's logits. */
    Set<String> studentOutputs();

    /** Teacher outputs (DetectorNames) the term needs; checked against {@link Teacher#provides()}. */
    Set<String> teacherOutputs();

    /**
     * Adds the term to the student's graph.
     *
     * @return unweighted scalar loss variables by name (usually one, or one per stage, e.g. {@code kd_logits_0})
     * @throws IllegalArgumentException when teacher and student are incompatible for this term, saying why
     */
    Map<String, SDVariable> build(DetectorGraph student, Teacher teacher);

    /** The placeholder values of one step. */
    Map<String, INDArray> feeds(DistillContext context);
}
