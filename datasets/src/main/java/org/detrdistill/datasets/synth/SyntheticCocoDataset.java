package org.detrdistill.datasets.synth;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where {@link SyntheticCocoGenerator} wrote a dataset, and what it holds. Immutable.
 *
 * @param root               the output directory
 * @param config             the config it was generated from
 * @param trainImageDir      {@code <root>/train}, images {@code NNNNNNNNNNNN.jpg}
 * @param valImageDir        {@code <root>/val}
 * @param trainAnnotations   {@code <root>/annotations/instances_train.json}
 * @param valAnnotations     {@code <root>/annotations/instances_val.json}
 * @param numTrainImages     images in train
 * @param numValImages       images in val
 * @param numTrainAnnotations boxes in train
 * @param numValAnnotations  boxes in val
 * @param droppedHidden      objects not annotated because later objects hid them completely (both splits)
 * @param droppedNoRoom      objects skipped because no admissible position was found (both splits)
 */
public record SyntheticCocoDataset(Path root, SyntheticCocoConfig config, Path trainImageDir, Path valImageDir,
                                   Path trainAnnotations, Path valAnnotations, int numTrainImages, int numValImages,
                                   int numTrainAnnotations, int numValAnnotations, int droppedHidden,
                                   int droppedNoRoom) {

    public SyntheticCocoDataset {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(config, "config");
    }

    /** The image folder of {@code split}. */
    public Path imageDir(SyntheticSplit split) {
        return split == SyntheticSplit.TRAIN ? trainImageDir : valImageDir;
    }

    /** The COCO annotation file of {@code split}. */
    public Path annotations(SyntheticSplit split) {
        return split == SyntheticSplit.TRAIN ? trainAnnotations : valAnnotations;
    }

    /** Multi-line human-readable summary: paths, counts and the config. */
    @Override
    public String toString() {
        return "Synthetic COCO dataset at " + root + "\n"
                + String.format("  train: %d images, %d boxes (%.2f per image) -> %s%n", numTrainImages,
                numTrainAnnotations, numTrainImages == 0 ? 0.0 : (double) numTrainAnnotations / numTrainImages,
                trainAnnotations)
                + String.format("  val:   %d images, %d boxes (%.2f per image) -> %s%n", numValImages,
                numValAnnotations, numValImages == 0 ? 0.0 : (double) numValAnnotations / numValImages,
                valAnnotations)
                + "  categories: " + categoriesSummary() + "\n"
                + "  objects dropped: " + droppedHidden + " fully hidden, " + droppedNoRoom + " without room\n"
                + "  " + config;
    }

    private String categoriesSummary() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < config.classes().size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(config.categoryId(i)).append('=').append(config.classes().get(i));
        }
        return sb.toString();
    }
}
