package org.detrdistill.examples;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.train.ConsoleProgress;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.DetectorTrainer;
import org.detrdistill.core.train.StepMetrics;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.TrainingListener;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.coco.CocoReadOptions;
import org.detrdistill.datasets.image.DetrTransforms;
import org.detrdistill.distill.Distillation;
import org.detrdistill.distill.DistillationConfig;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Trains a student detector with knowledge distillation: the student's detection loss plus the terms of a distillation
 * config (DETRDistill logits distillation from a checkpoint teacher, Teach-DETR from teachers' boxes, ...). Copy this
 * class to start your own: the work is four library calls (read the data, build the student, build the distillation,
 * train).
 *
 * <pre>
 * java -cp "examples/target/examples-*.jar:examples/target/lib/*" org.detrdistill.examples.DistillDetector \
 *     instances_train.json train_images/ student.json distill.json runs/student [EPOCHS [MAX_STEPS]]
 * </pre>
 * <ul>
 *   <li>{@code student.json}: the student's {@code DetectorConfig} (its canvas must be the teacher's);</li>
 *   <li>{@code distill.json}: a {@code DistillationConfig}, e.g.
 *       {@code {"teacher": {"checkpoint": "runs/teacher/best.zip"}, "terms": {"kd_logits": {}, "teach_detr": {}}}};</li>
 *   <li>output: {@code last.zip} (the student's checkpoint), {@code detector.json}, {@code trainer.json}, and one line
 *       of losses per step on standard output.</li>
 * </ul>
 * Images are resized to fit the canvas and never flipped or cropped: boxes of an offline (results-file) teacher live in
 * the original image frame and stay aligned only under resizing. With native teachers only, the training augmentations
 * ({@code DetrTransforms.train}) can be used instead.
 */
public final class DistillDetector {
    private DistillDetector() {}

    /**
     * Reads the data and configs, trains, and reports every step's weighted losses to {@code out}.
     *
     * @return where training ended (epoch, step)
     * @throws IOException              a file cannot be read or a checkpoint written
     * @throws IllegalArgumentException a config or file is invalid (the message names it), or teacher and student do
     *                                  not fit a configured term (the message says why)
     */
    public static TrainingState run(Path trainJson, Path imageDir, DetectorConfig student, DistillationConfig distill,
                                    TrainerConfig trainer, Path outputDir, PrintStream out) throws IOException {
        CocoDataset train = CocoInstancesReader.read(trainJson, CocoReadOptions.builder().imageRoot(imageDir).build());
        DetectorGraph graph = Detectors.build(student, DataType.FLOAT, trainer.seed());
        int h = student.inputHeight(), w = student.inputWidth();
        CocoDetectionIterator batches = CocoDetectionIterator.builder(train).imageRoot(imageDir)
                .config(LoaderConfig.builder().batchSize(2).shuffle(true).seed(trainer.seed()).canvas(h, w).build())
                .transform(DetrTransforms.eval(Math.min(h, w), Math.max(h, w))).build();
        try (Distillation distillation = Distillation.create(distill, new DetectionObjective(graph), train)) {
            out.println("teacher: " + distillation.teacher().describe());
            out.println("terms: " + distillation.objective().weightedNames());
            TrainingListener log = new TrainingListener() {
                @Override public void onStepEnd(StepMetrics m) {
                    out.println("step " + m.step() + " loss " + format(m.totalLoss()) + " " + m.weighted().entrySet().stream()
                            .map(e -> e.getKey() + "=" + format(e.getValue())).collect(Collectors.joining(" ")));
                }
            };
            long total = trainer.totalSteps(batches.batchesPerEpoch());
            return new DetectorTrainer(distillation.objective(), trainer, outputDir, List.of(log, ConsoleProgress.auto(total)))
                    .fit(batches, null, true);
        }
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** {@code DistillDetector TRAIN.json IMAGE_DIR STUDENT.json DISTILL.json OUT_DIR [EPOCHS [MAX_STEPS]]}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 5 || args.length > 7) {
            System.err.println("usage: DistillDetector TRAIN.json IMAGE_DIR STUDENT.json DISTILL.json OUT_DIR [EPOCHS [MAX_STEPS]]");
            System.exit(2);
        }
        DetectorConfig student = DetectorConfig.read(Path.of(args[2]));
        DistillationConfig distill = DistillationConfig.read(Path.of(args[3]));
        TrainerConfig.Builder trainer = TrainerConfig.builder(student.variant());
        if (args.length > 5) trainer.epochs(Integer.parseInt(args[5]));
        if (args.length > 6) trainer.maxIterations(Long.parseLong(args[6]));
        run(Path.of(args[0]), Path.of(args[1]), student, distill, trainer.build(), Path.of(args[4]), System.out);
    }
}
