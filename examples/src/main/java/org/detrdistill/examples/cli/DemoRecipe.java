package org.detrdistill.examples.cli;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.TrainerConfig;

import java.util.List;

/**
 * How {@code demo} trains: a teacher (the variant's {@code _tiny} preset, tuned below), a smaller student (half-width
 * backbone, one decoder stage fewer... see {@link #studentOf}), their learning rates, batch size, the number of steps
 * of each run and the default time budget. Tuned on 2 CPU cores (one OpenMP thread) with the default synthetic data
 * (300 + 60 images of 128×128, six classes) so that the teacher is a clearly useful detector within a few minutes;
 * see the examples README for the measurements.
 *
 * @param variant        the detector variant
 * @param teacher        the teacher's config (classes are set from the data)
 * @param student        the student's config
 * @param lr             base learning rate of every run (backbone 0.1×, the variant's parameter groups)
 * @param batchSize      images per step
 * @param teacherSteps   the teacher's steps when the time budget allows
 * @param studentSteps   each student's steps when the time budget allows
 * @param minutes        default total time budget: a cap, split {@link #TEACHER_SHARE} teacher, the rest evenly among
 *                       the students
 * @param scoreThreshold detections drawn; also the teacher boxes Teach-DETR uses
 */
record DemoRecipe(Variant variant, DetectorConfig teacher, DetectorConfig student, double lr, int batchSize,
                  long teacherSteps, long studentSteps, double minutes, double scoreThreshold) {
    /** The teacher's share of the time budget when students are trained. */
    static final double TEACHER_SHARE = 0.4;
    /** The default budget as shown in the help. */
    static final String DEFAULT_MINUTES_TEXT = "20";

    /**
     * The recipe of {@code variant}: tuned for Conditional DETR; the other variants use the same settings untuned.
     *
     * @throws IllegalArgumentException if the variant has no {@code _tiny} preset (lists the presets)
     */
    static DemoRecipe forVariant(Variant variant) {
        String preset = variant.id() + "_tiny";
        if (!DetectorPresets.names().contains(preset)) {
            throw new IllegalArgumentException("no tiny preset for variant " + variant + " ('" + preset
                    + "'); presets: " + String.join(", ", DetectorPresets.names()));
        }
        DetectorConfig teacher = DetectorPresets.get(preset).toBuilder().numQueries(20)
                .backbone(BackboneConfig.preset("tiny").toBuilder().frozenStages(-1)
                        .prefix(DetectorPresets.get(preset).backbone().prefix()).build())
                .build();
        return new DemoRecipe(variant, teacher, studentOf(teacher), 1e-3, 4, 1500, 1500,
                Double.parseDouble(DEFAULT_MINUTES_TEXT), 0.3);
    }

    /**
     * The student of a teacher: the backbone at half width (stem and stages), one decoder stage fewer (at least one)
     * and one encoder layer fewer (at least one where the teacher has any); model width, heads, queries and canvas as
     * the teacher's, so every distillation term applies.
     */
    static DetectorConfig studentOf(DetectorConfig teacher) {
        BackboneConfig b = teacher.backbone();
        List<Integer> widths = b.widths().stream().map(w -> Math.max(1, w / 2)).toList();
        return teacher.toBuilder()
                .backbone(b.toBuilder().widths(widths).stemWidth(Math.max(1, b.stemWidth() / 2)).build())
                .encoderLayers(teacher.encoderLayers() == 0 ? 0 : Math.max(1, teacher.encoderLayers() - 1))
                .decoderLayers(Math.max(1, teacher.decoderLayers() - 1))
                .build();
    }

    /** The teacher with the dataset's number of classes. */
    DetectorConfig teacher(int classes) {
        return teacher.toBuilder().numClasses(classes).build();
    }

    /** The student with the dataset's number of classes. */
    DetectorConfig student(int classes) {
        return student.toBuilder().numClasses(classes).build();
    }

    /**
     * Training settings of one run: at most {@code steps} steps (0 = until the time budget ends it), evaluation at the
     * end only.
     */
    TrainerConfig trainer(long steps, long seed) {
        return TrainerConfig.builder(variant).epochs(1_000_000).maxIterations(steps).lr(lr).evalEveryEpochs(1_000_000)
                .seed(seed).build();
    }
}
