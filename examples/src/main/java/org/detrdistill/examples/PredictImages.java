package org.detrdistill.examples;

import org.detrdistill.core.inference.DetectionPainter;
import org.detrdistill.core.inference.ImagePredictor;
import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.core.runtime.NativeRuntime;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.datasets.coco.CategoryMap;
import org.detrdistill.datasets.eval.CocoResults;
import org.detrdistill.datasets.eval.DetectionResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs a trained detector on image files, writes the detections as a COCO results file and draws them: the inference
 * API in one page. Copy it to start your own.
 *
 * <pre>
 * java -cp "examples/target/examples-*.jar:examples/target/lib/*" org.detrdistill.examples.PredictImages \
 *     work/train-detector/run predictions work/train-detector/data/val/000001.jpg work/train-detector/data/val/000002.jpg
 * </pre>
 * Arguments: a checkpoint ({@code .zip}, or a training folder: its {@code best.zip}, else {@code last.zip}), the
 * output folder, then the images. Writes {@code results.json} (image ids 1, 2, ... in argument order) and one PNG per
 * image. Class names come from the training folder's {@code categories.json}.
 */
public final class PredictImages {
    private PredictImages() {}

    /**
     * Detects objects in {@code images} with the detector in {@code checkpoint}; writes {@code out/results.json} and
     * {@code out/<name>.png} per image.
     *
     * @param minScore smallest score kept (e.g. 0.3)
     * @return the detections of each image, in order (boxes xyxy in pixels of the original image)
     */
    public static List<Detections> predict(Path checkpoint, List<Path> images, Path out, double minScore) throws IOException {
        TrainedDetector trained = TrainedDetector.load(checkpoint);   // rebuilds the graph from its config, loads weights
        CategoryMap categories = trained.categoriesOrDefault();      // label <-> COCO category id and name

        long[] ids = new long[images.size()];
        Arrays.setAll(ids, i -> i + 1);
        // resize to fit the detector's canvas, pad, run in batches of 4, keep the top 100 per image scoring >= minScore
        List<Detections> detections = new ImagePredictor(trained.detector(), 100, minScore, 4).predict(images, ids);

        Files.createDirectories(out);
        List<DetectionResult> results = new ArrayList<>();
        for (Detections d : detections) results.addAll(d.toResults(categories::categoryIdOf));
        CocoResults.write(out.resolve("results.json"), results);

        DetectionPainter painter = new DetectionPainter(categories::nameOf, 512);   // enlarge to a 512-px short side
        for (int i = 0; i < images.size(); i++) {
            String name = images.get(i).getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".png";
            painter.write(images.get(i), detections.get(i), out.resolve(name));
        }
        return detections;
    }

    /** {@code PredictImages CHECKPOINT OUT_DIR IMAGE...}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: PredictImages CHECKPOINT_OR_RUN_DIR OUT_DIR IMAGE...");
            System.exit(2);
        }
        System.err.println(NativeRuntime.prepare());
        List<Path> images = Arrays.stream(args).skip(2).map(Path::of).toList();
        List<Detections> detections = predict(Path.of(args[0]), images, Path.of(args[1]), 0.3);
        for (int i = 0; i < images.size(); i++) {
            System.out.printf(Locale.ROOT, "%s: %d detection(s)%n", images.get(i), detections.get(i).size());
        }
    }
}
