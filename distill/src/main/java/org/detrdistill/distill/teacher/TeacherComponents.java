package org.detrdistill.distill.teacher;

import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.distill.Teacher;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which distillation terms a teacher's outputs allow, e.g. for an ONNX teacher whose export lacks some outputs. Each
 * term needs (names from {@link DetectorNames}, L = the teacher's stages):
 * <table>
 *   <caption>needed teacher outputs</caption>
 *   <tr><td>{@code teach_detr}</td><td>{@code pred_logits}, {@code pred_boxes} (box-level outputs: boxes and scores)</td></tr>
 *   <tr><td>{@code kd_logits}</td><td>{@code stage_<k>/logits|boxes} of every stage (a student with fewer stages
 *       uses a subset; with only the final stage, students with one decoder stage)</td></tr>
 *   <tr><td>{@code kd_relation}</td><td>{@code stage_<k>/logits|boxes|hidden} of every stage</td></tr>
 *   <tr><td>{@code kd_feat}</td><td>{@code feature_0..}, and {@code stage_<k>/logits|boxes|hidden} of every stage</td></tr>
 *   <tr><td>{@code fitnet}, {@code mgd}</td><td>{@code feature_0..} (as many levels as the student)</td></tr>
 * </table>
 * The terms check this themselves when they are built ({@code DistillationObjective} names what is missing); this
 * class says it up front, for a summary.
 */
public final class TeacherComponents {
    private TeacherComponents() {}

    /**
     * One term's availability.
     *
     * @param term      the term's name in configs ({@code kd_logits}, ...)
     * @param what      one line on the term
     * @param available whether the teacher provides everything the term needs for a student of any depth
     * @param missing   the missing outputs (empty when available)
     */
    public record Component(String term, String what, boolean available, List<String> missing) {
        public Component { missing = List.copyOf(missing); }

        @Override public String toString() {
            return term + ": " + (available ? "available" : "unavailable, missing " + missing);
        }
    }

    /** The availability of every term for {@code teacher}. */
    public static List<Component> of(Teacher teacher) { return of(teacher.provides(), teacher.numStages()); }

    /**
     * The availability of every term for a teacher that provides {@code provides} over {@code numStages} stages.
     */
    public static List<Component> of(Set<String> provides, int numStages) {
        Set<String> stageLB = new LinkedHashSet<>(), stageLBH = new LinkedHashSet<>();
        for (int k = 0; k < numStages; k++) {
            stageLB.add(DetectorNames.stageLogits(k));
            stageLB.add(DetectorNames.stageBoxes(k));
            stageLBH.add(DetectorNames.stageLogits(k));
            stageLBH.add(DetectorNames.stageBoxes(k));
            stageLBH.add(DetectorNames.stageHidden(k));
        }
        Set<String> features = Set.of(DetectorNames.feature(0));
        Set<String> featAndStages = new LinkedHashSet<>(features);
        featAndStages.addAll(stageLBH);
        List<Component> out = new ArrayList<>();
        out.add(component("teach_detr", "Teach-DETR: teacher boxes and scores as extra targets",
                Set.of(DetectorNames.LOGITS, DetectorNames.BOXES), provides));
        out.add(component("kd_logits", "DETRDistill logits distillation (every stage's logits and boxes)", stageLB, provides));
        out.add(component("kd_relation", "DETRDistill query relation (stage logits, boxes, hidden states)", stageLBH, provides));
        out.add(component("kd_feat", "DETRDistill target-aware feature distillation (features, stage outputs)", featAndStages, provides));
        out.add(component("fitnet", "FitNet feature imitation (features)", features, provides));
        out.add(component("mgd", "MGD masked generative distillation (features)", features, provides));
        return out;
    }

    private static Component component(String term, String what, Set<String> needs, Set<String> provides) {
        List<String> missing = needs.stream().filter(n -> !provides.contains(n)).toList();
        if (needs.isEmpty()) missing = List.of("decoder stages");
        return new Component(term, what, missing.isEmpty(), missing);
    }
}
