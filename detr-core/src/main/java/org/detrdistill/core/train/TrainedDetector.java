package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.coco.CategoryMap;
import org.detrdistill.datasets.coco.CocoCategory;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A detector restored from a training run's checkpoint, ready for evaluation or inference: the graph rebuilt from the
 * checkpoint's {@code DetectorConfig} with its parameters and constants loaded ({@link Checkpoint#restoreWeights};
 * the optimizer state is not used), plus the class names if the run left them.
 *
 * <p>A training folder holds {@code last.zip}, {@code best.zip} ({@link CheckpointStore}), {@code detector.json},
 * {@code trainer.json} ({@link DetectorTrainer}) and, written by {@link #writeCategories}, {@value #CATEGORIES}: the
 * dataset's COCO categories (as a COCO instances file with an empty {@code images} array), which maps the detector's
 * labels back to category ids and names.
 *
 * <pre>{@code
 * TrainedDetector t = TrainedDetector.load(Path.of("runs/demo"));      // best.zip, else last.zip
 * DetectorOutputs out = t.detector().forward(images, mask);
 * }</pre>
 *
 * @param file       the checkpoint file read
 * @param detector   the restored graph (FLOAT)
 * @param training   epoch, step and best AP at the time of the checkpoint
 * @param categories the label ↔ category map of the run, if {@value #CATEGORIES} lies beside the checkpoint
 */
public record TrainedDetector(Path file, DetectorGraph detector, TrainingState training, Optional<CategoryMap> categories) {
    /** File name of the categories written beside the checkpoints. */
    public static final String CATEGORIES = "categories.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public TrainedDetector {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(categories, "categories");
    }

    /**
     * The checkpoint file meant by {@code fileOrDir}: a file as it is; a folder's {@code best.zip}, or its
     * {@code last.zip} when there is no best (a run without evaluation).
     *
     * @throws NoSuchFileException if the path does not exist, or the folder has neither checkpoint
     */
    public static Path resolve(Path fileOrDir) throws NoSuchFileException {
        Objects.requireNonNull(fileOrDir, "fileOrDir");
        if (!Files.exists(fileOrDir)) throw new NoSuchFileException(fileOrDir.toString(), null, "no such checkpoint file or folder");
        if (!Files.isDirectory(fileOrDir)) return fileOrDir;
        for (String name : new String[] {CheckpointStore.BEST, CheckpointStore.LAST}) {
            Path p = fileOrDir.resolve(name + ".zip");
            if (Files.isRegularFile(p)) return p;
        }
        throw new NoSuchFileException(fileOrDir.toString(), null, "no checkpoint in this folder (expected best.zip or last.zip)");
    }

    /**
     * Reads the checkpoint {@link #resolve}d from {@code fileOrDir} and rebuilds its detector in FLOAT.
     *
     * @throws NoSuchFileException  see {@link #resolve}
     * @throws CheckpointException  if the checkpoint is invalid (naming file, entry and field)
     * @throws IOException          if {@value #CATEGORIES} beside it cannot be read
     */
    public static TrainedDetector load(Path fileOrDir) throws IOException {
        Path file = resolve(fileOrDir);
        Checkpoint c = CheckpointFile.read(file);
        DetectorGraph det = Detectors.build(c.config(), DataType.FLOAT, 0);
        c.restoreWeights(det.sameDiff());
        Path dir = file.toAbsolutePath().getParent();
        return new TrainedDetector(file, det, c.training(), readCategories(dir));
    }

    /**
     * Writes {@code categories} to {@code dir/}{@value #CATEGORIES} (atomically), as
     * {@code {"images": [], "categories": [{"id", "name"}, ...]}}.
     *
     * @return the file written
     */
    public static Path writeCategories(Path dir, CategoryMap categories) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("images");
        ArrayNode cats = root.putArray("categories");
        for (CocoCategory c : categories.categories()) cats.addObject().put("id", c.id()).put("name", c.name());
        Files.createDirectories(dir);
        Path file = dir.resolve(CATEGORIES), tmp = dir.resolve(CATEGORIES + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /**
     * Reads {@code dir/}{@value #CATEGORIES} if it exists.
     *
     * @throws IOException if it exists but cannot be read or is malformed (naming the file and entry)
     */
    public static Optional<CategoryMap> readCategories(Path dir) throws IOException {
        Path file = dir.resolve(CATEGORIES);
        if (!Files.isRegularFile(file)) return Optional.empty();
        return Optional.of(CocoInstancesReader.read(file).categories());
    }

    /** The categories of the run, or, without them, ids {@code 1..C} named {@code class_<id>} for the C labels. */
    public CategoryMap categoriesOrDefault() {
        return categories.orElseGet(() -> defaultCategories(detector.config().numClasses()));
    }

    /** Categories {@code 1..numClasses} named {@code class_<id>}: label {@code k} is category {@code k + 1}. */
    public static CategoryMap defaultCategories(int numClasses) {
        List<CocoCategory> list = new ArrayList<>(numClasses);
        for (int k = 0; k < numClasses; k++) list.add(new CocoCategory(k + 1, "class_" + (k + 1)));
        return CategoryMap.of(list);
    }
}
