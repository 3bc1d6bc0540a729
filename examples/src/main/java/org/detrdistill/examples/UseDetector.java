package org.detrdistill.examples;

import org.detrdistill.core.inference.ImagePredictor;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.core.runtime.NativeRuntime;
import org.detrdistill.core.train.TrainedDetector;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A trained detector inside your own DL4J code: the snippet of the root README, kept here so that it compiles and runs
 * (its test trains nothing; it loads a checkpoint and checks the shapes). The detector is an ordinary
 * {@link SameDiff} graph: run it on your own {@code INDArray}s, or on image files through {@link ImagePredictor}.
 *
 * <pre>
 * java -cp "examples/target/examples-*.jar:examples/target/lib/*" org.detrdistill.examples.UseDetector \
 *     work/demo/runs/teacher work/demo/data/val/000001.jpg
 * </pre>
 */
public final class UseDetector {
    private UseDetector() {}

    /**
     * Loads the detector of {@code checkpoint} (a {@code .zip} or a training folder), runs it once on a batch of
     * arrays and once on {@code images}, and returns the detections of the images (score &ge; {@code minScore}).
     */
    public static List<Detections> run(Path checkpoint, List<Path> images, double minScore) throws IOException {
        TrainedDetector trained = TrainedDetector.load(checkpoint);       // config + weights from the checkpoint
        DetectorGraph detector = trained.detector();
        SameDiff graph = detector.sameDiff();                             // a plain SameDiff graph
        System.out.println(detector.config().variant() + ": " + graph.variables().size() + " variables");

        // 1. arrays in, arrays out: images [B,3,H,W] normalised (ImageNet mean/std), padded to the canvas H x W,
        //    pixel mask [B,H,W] with 1 on padding
        int h = detector.config().inputHeight(), w = detector.config().inputWidth();
        INDArray batch = Nd4j.randn(DataType.FLOAT, 2, 3, h, w);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 2, h, w);
        DetectorOutputs out = detector.forward(batch, mask);
        INDArray logits = out.logits();   // [B,Q,C] class logits (sigmoid scores)
        INDArray boxes = out.boxes();     // [B,Q,4] cxcywh, normalised to the canvas
        System.out.println("logits " + Arrays.toString(logits.shape()) + ", boxes " + Arrays.toString(boxes.shape()));

        // 2. image files in, detections out: resized to fit the canvas, top 100 per image, score >= minScore
        long[] ids = new long[images.size()];
        Arrays.setAll(ids, i -> i + 1);
        List<Detections> detections = new ImagePredictor(detector, 100, minScore, 4).predict(images, ids);
        for (int i = 0; i < images.size(); i++) {
            Detections d = detections.get(i);
            for (int k = 0; k < d.size(); k++) {
                System.out.printf(Locale.ROOT, "%s: %s %.2f%n", images.get(i).getFileName(),
                        trained.categoriesOrDefault().nameOf(d.label(k)), d.score(k));
            }
        }
        return detections;
    }

    /** {@code UseDetector CHECKPOINT_OR_RUN_DIR IMAGE...}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: UseDetector CHECKPOINT_OR_RUN_DIR IMAGE...");
            System.exit(2);
        }
        System.err.println(NativeRuntime.prepare());   // native build for this CPU, thread setting
        run(Path.of(args[0]), Arrays.stream(args).skip(1).map(Path::of).toList(), 0.3);
    }
}
