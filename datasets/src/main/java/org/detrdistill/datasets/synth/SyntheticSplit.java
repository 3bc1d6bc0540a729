package org.detrdistill.datasets.synth;

/**
 * The two splits of a synthetic dataset. Each split has its own random stream, so the validation images do not
 * change when the number of training images does.
 */
public enum SyntheticSplit {
    /** Training images, {@code <out>/train/}, annotations {@code <out>/annotations/instances_train.json}. */
    TRAIN("train"),
    /** Validation images, {@code <out>/val/}, annotations {@code <out>/annotations/instances_val.json}. */
    VAL("val");

    private final String dirName;

    SyntheticSplit(String dirName) {
        this.dirName = dirName;
    }

    /** Folder name of the images and suffix of the annotation file: {@code "train"} or {@code "val"}. */
    public String dirName() {
        return dirName;
    }

    /** Annotation file name, {@code instances_<split>.json}. */
    public String annotationFileName() {
        return "instances_" + dirName + ".json";
    }
}
