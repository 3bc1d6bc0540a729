package org.detrdistill.distill;

import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorGraph;

import java.util.Objects;

/**
 * What a {@link DistillTermRegistry.TermFactory} may use to create its term.
 *
 * @param student  the student detector (its graph is extended by the term's {@code build})
 * @param teacher  the configuration's main teacher
 * @param teachers loads further teachers a term's options name (e.g. Teach-DETR's extra teachers); they are closed
 *                 with the distillation
 * @param matcher  the student's main matching cost (for terms that match the way the detection loss does)
 */
public record TermContext(DetectorGraph student, Teacher teacher, TeacherLoader teachers, MatcherConfig matcher) {
    public TermContext {
        Objects.requireNonNull(student, "student");
        Objects.requireNonNull(teacher, "teacher");
        Objects.requireNonNull(teachers, "teachers");
        Objects.requireNonNull(matcher, "matcher");
    }
}
