package org.detrdistill.examples.cli;

import org.detrdistill.core.inference.DetectionPainter;
import org.detrdistill.core.inference.ImagePredictor;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.core.postprocess.PostProcessor;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.datasets.coco.CategoryMap;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoImageInfo;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.eval.CocoResults;
import org.detrdistill.datasets.eval.DetectionResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code detr-distill predict}: runs a trained detector on images and writes {@code <out>/results.json} (COCO results:
 * {@code image_id, category_id, bbox [x,y,w,h] pixels, score}) and one {@code <out>/<image name>.png} per image with
 * the detections drawn (boxes in class colours, class names and scores; small images enlarged).
 *
 * <p>Images: files and folders (every {@code .jpg .jpeg .png .bmp .webp .tif .tiff} directly inside, sorted by name).
 * Category ids and names come from {@code --categories FILE} (a COCO instances file), else from the training folder's
 * {@code categories.json} beside the checkpoint, else labels {@code k} become ids {@code k+1} named {@code class_<id>}.
 * Image ids come from the {@code images} of {@code --categories FILE} when it has any (matched by file name; every
 * image must be found), else they are 1, 2, ... in the order above. The output folder must be new, empty or a
 * previous predict output (its {@code results.json} and PNGs are replaced).
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = CliVersion.class, sortOptions = false,
        description = {"Run a trained detector on images: results.json (COCO results) and one PNG per image with",
                "boxes, class names and scores drawn."},
        footer = {"", "Example:",
                "  detr-distill predict --checkpoint runs/tiny --images data/synth/val --out predictions \\",
                "      --categories data/synth/annotations/instances_val.json --score-threshold 0.3"})
public final class PredictCommand implements Callable<Integer>, UsesNd4j {
    /** The results file written into {@code --out}. */
    static final String RESULTS = "results.json";
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff");

    @Spec
    private CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE_OR_DIR",
            description = "A checkpoint .zip, or a training folder (its best.zip, else last.zip).")
    private Path checkpoint;

    @Option(names = "--images", required = true, split = ",", arity = "1..*", paramLabel = "PATH",
            description = "Image files and/or folders of images (space- or comma-separated).")
    private List<Path> images;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Output folder: new, empty, or a previous predict output.")
    private Path out;

    @Option(names = "--score-threshold", paramLabel = "X", defaultValue = "0.3",
            description = "Keep detections scoring at least X (default ${DEFAULT-VALUE}).")
    private double scoreThreshold;

    @Option(names = "--categories", paramLabel = "FILE",
            description = "COCO instances JSON: category ids and names, and image ids (by file name) if it lists images.")
    private Path categoriesFile;

    @Option(names = "--top-k", paramLabel = "N", defaultValue = "100",
            description = "Detections per image before the threshold (default ${DEFAULT-VALUE}).")
    private int topK = PostProcessor.DEFAULT_TOP_K;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "4", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--no-draw", description = "Write results.json only, no PNGs.")
    private boolean noDraw;

    /** Predicts, writes and summarises; exit code 0. */
    @Override
    public Integer call() throws IOException {
        List<Path> files = imageFiles(images);
        CocoDataset coco = categoriesFile == null ? null : CocoInstancesReader.read(
                CliFiles.requireFile(categoriesFile, "--categories"));
        checkOutputFolder(out);
        TrainedDetector trained = TrainedDetector.load(checkpoint);
        CategoryMap categories = coco != null ? coco.categories() : trained.categoriesOrDefault();
        int classes = trained.detector().config().numClasses();
        if (categories.size() != classes) {
            throw new IllegalArgumentException((coco != null ? "--categories " + categoriesFile : "categories.json")
                    + " has " + categories.size() + " categories but " + trained.file() + " predicts " + classes + " classes");
        }
        long[] ids = imageIds(files, coco);

        int detections = write(trained.detector(), files, ids, categories, scoreThreshold, topK, batchSize, !noDraw, out);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "%d image(s), %d detection(s) with score >= %.2f (%s)%n", files.size(), detections,
                scoreThreshold, trained.file());
        stdout.println("wrote " + out.resolve(RESULTS) + (noDraw ? "" : " and " + files.size() + " PNG(s) in " + out));
        stdout.flush();
        return DetrDistillCli.EXIT_OK;
    }

    /**
     * Runs {@code detector} on {@code files} and writes {@code out/results.json} and, if {@code draw}, one PNG per
     * image. Shared with {@code demo}.
     *
     * @return the number of detections written
     */
    static int write(DetectorGraph detector, List<Path> files, long[] ids, CategoryMap categories, double scoreThreshold,
                     int topK, int batchSize, boolean draw, Path out) throws IOException {
        List<Detections> dets = new ImagePredictor(detector, topK, scoreThreshold, batchSize).predict(files, ids);
        List<DetectionResult> results = new ArrayList<>();
        for (Detections d : dets) results.addAll(d.toResults(categories::categoryIdOf));
        Files.createDirectories(out);
        CocoResults.write(out.resolve(RESULTS), results);
        if (draw) {
            DetectionPainter painter = new DetectionPainter(categories::nameOf, 512);
            for (int i = 0; i < files.size(); i++) painter.write(files.get(i), dets.get(i), out.resolve(pngName(files.get(i))));
        }
        return results.size();
    }

    /** {@code name.jpg} becomes {@code name.png} (a {@code name.png} input keeps its name: it is another folder). */
    static String pngName(Path image) {
        String n = image.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return (dot > 0 ? n.substring(0, dot) : n) + ".png";
    }

    /** The image files named by {@code paths}: files as given, folders expanded (sorted). */
    static List<Path> imageFiles(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) throw new NoSuchFileException(p.toString(), null, "--images");
            if (!Files.isDirectory(p)) {
                files.add(p);
                continue;
            }
            try (Stream<Path> s = Files.list(p)) {
                List<Path> inDir = s.filter(Files::isRegularFile).filter(PredictCommand::isImage).sorted().toList();
                if (inDir.isEmpty()) throw new IllegalArgumentException("--images " + p + ": no image files in this folder");
                files.addAll(inDir);
            }
        }
        Map<String, Path> byPng = new HashMap<>();
        for (Path f : files) {
            Path other = byPng.put(pngName(f), f);
            if (other != null && !other.equals(f)) {
                throw new IllegalArgumentException("--images: " + other + " and " + f + " would both be drawn to " + pngName(f));
            }
        }
        return files;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /** Ids from {@code coco}'s images by file name when it lists any, else 1..n. */
    private long[] imageIds(List<Path> files, CocoDataset coco) {
        long[] ids = new long[files.size()];
        if (coco == null || coco.images().isEmpty()) {
            for (int i = 0; i < ids.length; i++) ids[i] = i + 1;
            return ids;
        }
        Map<String, Long> byName = new HashMap<>();
        for (CocoImageInfo img : coco.images()) byName.put(Path.of(img.fileName()).getFileName().toString(), img.id());
        for (int i = 0; i < ids.length; i++) {
            Long id = byName.get(files.get(i).getFileName().toString());
            if (id == null) {
                throw new IllegalArgumentException("--images " + files.get(i) + ": no image of that file name in --categories "
                        + categoriesFile);
            }
            ids[i] = id;
        }
        return ids;
    }

    /** New, empty, or a previous predict output (has results.json); anything else is refused untouched. */
    static void checkOutputFolder(Path out) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a directory");
        }
        if (!Files.isDirectory(out) || Files.isRegularFile(out.resolve(RESULTS))) return;
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) {
                throw new IllegalArgumentException("--out " + out + " is not empty and not a previous predict output "
                        + "(no " + RESULTS + "): choose a new or empty folder");
            }
        }
    }
}
