package org.detrdistill.distill;

import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.datasets.coco.CocoDataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link DistillationObjective} from a {@link DistillationConfig}: loads the teachers, creates every configured
 * term through a {@link DistillTermRegistry}, weighs it with its λ, and adds it to the student's detection objective.
 * Closing it closes the teachers it loaded.
 *
 * <pre>{@code
 * DetectorGraph student = Detectors.build(studentConfig, DataType.FLOAT, 42);
 * try (Distillation d = Distillation.create(DistillationConfig.read(Path.of("distill.json")),
 *         new DetectionObjective(student), trainSet)) {
 *     new DetectorTrainer(d.objective(), trainerConfig, Path.of("runs/student"), listeners).fit(batches, evaluator, true);
 * }
 * }</pre>
 */
public final class Distillation implements AutoCloseable {
    private final DistillationObjective objective;
    private final TeacherLoader teachers;

    private Distillation(DistillationObjective objective, TeacherLoader teachers) {
        this.objective = objective;
        this.teachers = teachers;
    }

    /** With the standard terms and Deformable DETR's matcher (the default of {@link DetectionObjective}). */
    public static Distillation create(DistillationConfig config, DetectionObjective detection, CocoDataset trainData) {
        return create(config, detection, trainData, MatcherConfig.deformableDetr(), DistillTermRegistry.standard());
    }

    /**
     * @param detection the student's detection objective (its graph gets the terms)
     * @param trainData the training set (categories and image sizes for results-file teachers; may be null without them)
     * @param matcher   the student's main matcher (native teachers' own assignment, Teach-DETR's matching)
     * @param registry  the terms that may be configured
     * @throws IllegalArgumentException for an unknown term (listing the valid ones), a bad option, a teacher that
     *                                  cannot be loaded, or a teacher/student pair a term does not allow (saying why);
     *                                  every message names the term
     */
    public static Distillation create(DistillationConfig config, DetectionObjective detection, CocoDataset trainData,
                                      MatcherConfig matcher, DistillTermRegistry registry) {
        Objects.requireNonNull(detection, "detection");
        config.validate(registry);
        TeacherLoader loader = new TeacherLoader(trainData, matcher);
        try {
            Teacher teacher = loader.load(config.teacher());
            TermContext context = new TermContext(detection.detector(), teacher, loader, matcher);
            List<DistillTerm> terms = new ArrayList<>();
            Map<String, Double> weights = new LinkedHashMap<>();
            for (String name : config.terms().keySet()) {
                DistillTerm term;
                try {
                    term = registry.entry(name).factory().create(config.options(name), context);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("distillation term '" + name + "': " + e.getMessage(), e);
                }
                if (!term.name().equals(name)) {
                    throw new IllegalStateException("the factory of '" + name + "' made a term named '" + term.name() + "'");
                }
                terms.add(term);
                weights.put(name, config.lambda(name, registry));
            }
            return new Distillation(new DistillationObjective(detection, teacher, terms, weights), loader);
        } catch (RuntimeException e) {
            loader.close();
            throw e;
        }
    }

    /** The objective to train ({@code DetectorTrainer(objective(), ...)}). */
    public DistillationObjective objective() { return objective; }

    /** The main teacher. */
    public Teacher teacher() { return objective.teacher(); }

    /** Every teacher loaded (the main one first). */
    public List<Teacher> teachers() { return teachers.loaded(); }

    @Override public void close() { teachers.close(); }
}
