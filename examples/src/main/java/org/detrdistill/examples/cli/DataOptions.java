package org.detrdistill.examples.cli;

import org.detrdistill.core.train.CocoSplit;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training and validation data of {@code train}: {@code --data DIR} in the COCO/synthetic layout
 * ({@code DIR/annotations/instances_{train,val}.json}, {@code DIR/train/}, {@code DIR/val/}; see {@link CocoSplit}),
 * or the files one by one ({@code --train-ann FILE --train-images DIR}, {@code --val-ann FILE --val-images DIR}),
 * which also override the parts of {@code --data}. Without a validation split nothing is evaluated.
 */
final class DataOptions {
    @Option(names = "--data", paramLabel = "DIR",
            description = "COCO dataset folder: annotations/instances_{train,val}.json, train/, val/ (as 'synth' writes).")
    Path data;

    @Option(names = "--train-ann", paramLabel = "FILE", description = "Training annotations (COCO instances JSON).")
    Path trainAnn;

    @Option(names = "--train-images", paramLabel = "DIR", description = "Folder of the training images.")
    Path trainImages;

    @Option(names = "--val-ann", paramLabel = "FILE", description = "Validation annotations (COCO instances JSON).")
    Path valAnn;

    @Option(names = "--val-images", paramLabel = "DIR", description = "Folder of the validation images.")
    Path valImages;

    /**
     * The training split.
     *
     * @throws IllegalArgumentException if neither {@code --data} nor both {@code --train-*} options are given
     */
    CocoSplit train() {
        CocoSplit fromDir = data == null ? null : CocoSplit.inDataDir(data, "train");
        return split("train", trainAnn, trainImages, fromDir, true);
    }

    /**
     * The validation split, or null when there is none ({@code --data} without {@code instances_val.json} and no
     * {@code --val-*} options).
     */
    CocoSplit val() {
        CocoSplit fromDir = data == null ? null : CocoSplit.inDataDir(data, "val");
        if (valAnn == null && valImages == null && fromDir != null && !Files.exists(fromDir.annotations())) return null;
        return split("val", valAnn, valImages, fromDir, false);
    }

    private static CocoSplit split(String name, Path ann, Path images, CocoSplit fromDir, boolean required) {
        Path a = ann != null ? ann : fromDir != null ? fromDir.annotations() : null;
        Path i = images != null ? images : fromDir != null ? fromDir.images() : null;
        if (a == null && i == null && !required) return null;
        if (a == null || i == null) {
            throw new IllegalArgumentException("no " + name + " data: give --data DIR, or --" + name + "-ann FILE and --"
                    + name + "-images DIR");
        }
        return new CocoSplit(a, i);
    }
}
