package org.detrdistill.distill;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.NonFiniteGuard;
import org.detrdistill.core.train.StagedFeeds;
import org.detrdistill.core.train.TrainingObjective;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The student's detection loss plus weighted distillation terms:
 * {@code L = L_det + Σ_terms λ_term · Σ_k L_term^k}. Per step the teacher runs once and the student runs one forward
 * + backward pass: the ground-truth matching and every term's Java-side work (teacher-side matching, selections,
 * masks) happen between its forward and backward part ({@link #stagedFeeds}).
 */
public final class DistillationObjective implements TrainingObjective {
    private final DetectionObjective detection;
    private final Teacher teacher;
    private final List<DistillTerm> terms;
    private final List<String> termNames = new ArrayList<>();
    private final List<String> weightedNames = new ArrayList<>();
    private final List<String> studentOutputs;
    private final String loss;

    /**
     * @param detection the student's detection objective (its graph is extended)
     * @param teacher   the frozen teacher
     * @param weights   λ of each term by {@link DistillTerm#name()} (missing = 1)
     */
    public DistillationObjective(DetectionObjective detection, Teacher teacher, List<DistillTerm> terms, Map<String, Double> weights) {
        this.detection = Objects.requireNonNull(detection, "detection");
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.terms = List.copyOf(terms);
        SameDiff sd = detection.detector().sameDiff();
        Set<String> outs = new LinkedHashSet<>(detection.stageOutputNames());
        termNames.addAll(detection.termNames());
        weightedNames.addAll(detection.weightedNames());
        SDVariable total = sd.getVariable(detection.loss());
        for (DistillTerm t : this.terms) {
            Set<String> missing = new LinkedHashSet<>(t.teacherOutputs());
            missing.removeAll(teacher.provides());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("distillation term '" + t.name() + "' needs teacher outputs " + missing
                        + " that " + teacher.describe() + " does not provide");
            }
            outs.addAll(t.studentOutputs());
            double lambda = weights.getOrDefault(t.name(), 1.0);
            for (Map.Entry<String, SDVariable> e : t.build(detection.detector(), teacher).entrySet()) {
                SDVariable w = e.getValue().mul(lambda).rename(e.getKey() + "_weighted");
                termNames.add(e.getKey());
                weightedNames.add(w.name());
                total = total.add(w);
            }
        }
        this.studentOutputs = List.copyOf(outs);
        this.loss = total.rename("loss_total_distill").name();
        sd.setLossVariables(loss);
    }

    @Override public DetectorGraph detector() { return detection.detector(); }

    @Override public String loss() { return loss; }

    @Override public List<String> termNames() { return List.copyOf(termNames); }

    @Override public List<String> weightedNames() { return List.copyOf(weightedNames); }

    public Teacher teacher() { return teacher; }

    public List<DistillTerm> terms() { return terms; }

    /**
     * Every placeholder value of one step with a separate student forward pass: runs the teacher once and the
     * student once, then matches and fills every placeholder (the trainer then runs the student again, forward and
     * backward). {@link #stagedFeeds} avoids the second student forward pass.
     */
    @Override
    public Map<String, INDArray> feeds(DetectionBatch batch, long step) {
        TeacherOutputs t = teacher.run(batch);
        DetectorGraph det = detection.detector();
        Map<String, INDArray> feeds = det.feeds(batch.images(), batch.mask());
        feeds.putAll(fromStudent(batch, t, det.sameDiff().output(feeds, studentOutputs.toArray(new String[0])), step));
        return feeds;
    }

    /**
     * The same values as {@link #feeds}: the teacher runs once before the step; the matching and every term's
     * Java-side work run between the student's forward and backward pass of the one training pass.
     */
    @Override
    public StagedFeeds stagedFeeds(DetectionBatch batch, long step) {
        TeacherOutputs t = teacher.run(batch);
        DetectorGraph det = detection.detector();
        return new StagedFeeds(det.feeds(batch.images(), batch.mask()), studentOutputs,
                student -> fromStudent(batch, t, student, step));
    }

    /** The student outputs the matching and the terms read (stage logits/boxes plus every term's). */
    public List<String> studentOutputs() { return studentOutputs; }

    /** The ground-truth targets and every term's placeholders from the student's forward values. */
    private Map<String, INDArray> fromStudent(DetectionBatch batch, TeacherOutputs t, Map<String, INDArray> forward, long step) {
        Map<String, INDArray> student = new LinkedHashMap<>(forward);
        NonFiniteGuard.checkOutputs(step, student);
        Map<String, INDArray> feeds = new LinkedHashMap<>(detection.targetFeeds(student, batch.targets()));
        DistillContext ctx = new DistillContext(batch, t, student, step);
        for (DistillTerm term : terms) feeds.putAll(term.feeds(ctx));
        return feeds;
    }
}
