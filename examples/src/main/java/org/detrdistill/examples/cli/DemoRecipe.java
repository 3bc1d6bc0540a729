package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.TrainerConfig;

/**
 * How {@code demo} trains: the {@code <variant>_tiny} preset (any variant that has one), the dataset's classes, and
 * training settings tuned on 2 CPU cores for a clearly non-zero AP on the synthetic data within the default budget.
 *
 * @param preset         the preset trained
 * @param lr             base learning rate
 * @param batchSize      images per step
 * @param augment        DETR's training augmentation
 * @param minutes        default time budget
 * @param scoreThreshold detections drawn
 */
record DemoRecipe(String preset, double lr, int batchSize, boolean augment, double minutes, double scoreThreshold) {
    /** The default budget as shown in the help. */
    static final String DEFAULT_MINUTES_TEXT = "5";
    private static final double DEFAULT_MINUTES = Double.parseDouble(DEFAULT_MINUTES_TEXT);

    /**
     * The recipe of {@code variant}.
     *
     * @throws IllegalArgumentException if the variant has no {@code _tiny} preset (lists the presets)
     */
    static DemoRecipe forVariant(Variant variant) {
        String preset = variant.id() + "_tiny";
        if (!DetectorPresets.names().contains(preset)) {
            throw new IllegalArgumentException("no tiny preset for variant " + variant + " ('" + preset
                    + "'); presets: " + String.join(", ", DetectorPresets.names()));
        }
        return new DemoRecipe(preset, 2e-4, 4, false, DEFAULT_MINUTES, 0.3);
    }

    /** The preset with the dataset's number of classes. */
    DetectorConfig detector(int classes) {
        return DetectorPresets.get(preset).toBuilder().numClasses(classes).build();
    }

    /** Many epochs: the time budget ends training; evaluation only at the end. */
    TrainerConfig trainer(long seed) {
        DetectorConfig c = DetectorPresets.get(preset);
        return TrainerConfig.builder(c.variant()).epochs(10_000).lr(lr).evalEveryEpochs(10_000).seed(seed).build();
    }
}
