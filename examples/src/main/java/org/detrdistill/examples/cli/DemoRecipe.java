package org.detrdistill.examples.cli;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.TrainerConfig;

import java.util.List;

/**
 * How {@code demo} trains: the data, a teacher (the variant's {@code _tiny} preset with every backbone stage trained
 * and 20 queries), a smaller student ({@link #studentOf}: half-width backbone, one encoder and one decoder layer
 * fewer), their learning rate and schedule, batch size, the steps of each run and the default time cap.
 *
 * <p>Tuned on 2 CPU cores (one OpenMP thread) for Conditional DETR so that the teacher is a clearly useful detector
 * within a few minutes. What mattered, measured with the tiny preset on the synthetic shapes (see the examples
 * README): the number of training images (300 images are memorised: training AP50 0.91, validation 0.05 after 1,140
 * steps of 16; with 4,000 images, validation AP50 0.33 after 1,000 steps), a batch of 16 (a step costs about 0.37 s of
 * CPU against 0.30 s for a batch of 4: SameDiff's per-op overhead dominates, so larger batches are nearly free), a
 * backbone trained from its first stage (there are no pretrained weights), and a learning rate of 8e-4 dropped
 * tenfold for the last fifth of the steps.
 *
 * @param variant        the detector variant
 * @param teacher        the teacher's config (classes are set from the data)
 * @param student        the student's config
 * @param trainImages    synthetic training images (the demo's default)
 * @param valImages      synthetic validation images (the demo's default)
 * @param lr             base learning rate of every run (backbone 0.1×, the variant's parameter groups)
 * @param batchSize      images per step
 * @param teacherSteps   the teacher's steps when the time budget allows
 * @param studentSteps   each student's steps when the time budget allows
 * @param minutes        default total time budget: a cap, split {@link #TEACHER_SHARE} teacher, the rest evenly among
 *                       the students
 * @param scoreThreshold detections drawn; also the teacher boxes Teach-DETR uses
 */
record DemoRecipe(Variant variant, DetectorConfig teacher, DetectorConfig student, int trainImages, int valImages,
                  double lr, int batchSize, long teacherSteps, long studentSteps, double minutes, double scoreThreshold) {
    /** The teacher's share of the time budget when students are trained. */
    static final double TEACHER_SHARE = 0.4;
    /** The default budget as shown in the help. */
    static final String DEFAULT_MINUTES_TEXT = "40";
    /** The default data as shown in the help. */
    static final String DEFAULT_TRAIN_TEXT = "4000", DEFAULT_VAL_TEXT = "100";
    /** The learning rate is multiplied by 0.1 after this fraction of a run's steps. */
    static final double LR_DROP_AT = 0.8;

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
        DetectorConfig tiny = DetectorPresets.get(preset);
        DetectorConfig teacher = tiny.toBuilder().numQueries(20)
                .backbone(tiny.backbone().toBuilder().trainAll().build()).build();
        return new DemoRecipe(variant, teacher, studentOf(teacher), Integer.parseInt(DEFAULT_TRAIN_TEXT),
                Integer.parseInt(DEFAULT_VAL_TEXT), 8e-4, 16, 1250, 1000, Double.parseDouble(DEFAULT_MINUTES_TEXT), 0.3);
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
     * Training settings of one run: at most {@code steps} steps (0 = until the time budget ends it), the learning rate
     * dropped tenfold after {@link #LR_DROP_AT} of them, evaluation at the end only.
     *
     * @param trainImages the training set's size (the drop is set in epochs of {@code trainImages / batchSize} steps)
     */
    TrainerConfig trainer(long steps, int trainImages, long seed) {
        TrainerConfig.Builder b = TrainerConfig.builder(variant).epochs(1_000_000).maxIterations(steps).lr(lr)
                .evalEveryEpochs(1_000_000).seed(seed);
        long perEpoch = Math.max(1, (trainImages + batchSize - 1) / batchSize);
        long dropEpoch = Math.round(LR_DROP_AT * steps / perEpoch);
        if (steps > 0 && dropEpoch >= 1) b.lrDropEpochs(Math.toIntExact(dropEpoch));
        return b.build();
    }
}
