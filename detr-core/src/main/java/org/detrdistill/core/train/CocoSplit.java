package org.detrdistill.core.train;

import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.coco.CocoReadOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One split of a COCO detection dataset on disk: an instances JSON and the folder its {@code images[].file_name}s are
 * relative to.
 *
 * <p>{@link #inDataDir} resolves the layout of COCO 2017 folders and of the synthetic generator:
 * <pre>
 * DIR/annotations/instances_train.json   DIR/train/*.jpg
 * DIR/annotations/instances_val.json     DIR/val/*.jpg
 * </pre>
 * (COCO's own names work as split names too: {@code train2017}, {@code val2017}).
 *
 * @param annotations the COCO instances JSON
 * @param images      the image folder
 */
public record CocoSplit(Path annotations, Path images) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    public CocoSplit {
        Objects.requireNonNull(annotations, "annotations");
        Objects.requireNonNull(images, "images");
    }

    /**
     * The split {@code name} of a dataset folder: {@code dir/annotations/instances_<name>.json} and {@code dir/<name>/}.
     * Nothing is checked here; {@link #read} checks.
     *
     * @throws IllegalArgumentException if {@code name} is not a plain name (letters, digits, '_', '.', '-')
     */
    public static CocoSplit inDataDir(Path dir, String name) {
        Objects.requireNonNull(dir, "dir");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid split name '" + name + "': letters, digits, '_', '.', '-'");
        }
        return new CocoSplit(dir.resolve("annotations").resolve("instances_" + name + ".json"), dir.resolve(name));
    }

    /**
     * Reads the annotations, checking that both paths exist. Images whose file is missing are skipped and counted in
     * the dataset's {@code LoadReport}; images without annotations are kept (they matter for evaluation).
     *
     * @throws NoSuchFileException   the annotation file or the image folder does not exist (the reason names the
     *                               expected layout)
     * @throws NotDirectoryException the image folder is a file
     * @throws IOException           the annotations cannot be read or are malformed (the message names the file and
     *                               the entry)
     */
    public CocoDataset read() throws IOException {
        if (!Files.isRegularFile(annotations)) {
            throw new NoSuchFileException(annotations.toString(), null,
                    "COCO instances file not found; expected DIR/annotations/instances_<split>.json and DIR/<split>/");
        }
        if (!Files.exists(images)) {
            throw new NoSuchFileException(images.toString(), null, "image folder of " + annotations.getFileName() + " not found");
        }
        if (!Files.isDirectory(images)) throw new NotDirectoryException(images.toString());
        return CocoInstancesReader.read(annotations, CocoReadOptions.builder().imageRoot(images)
                .keepImagesWithoutAnnotations(true).build());
    }

    @Override
    public String toString() { return annotations + " (images in " + images + ")"; }
}
