package org.detrdistill.examples;

import org.detrdistill.core.internal.dl4j.GradientLogFilter;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.runtime.NativeRuntime;
import org.detrdistill.core.train.CanvasData;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.core.train.ConsoleProgress;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.DetectorEvaluator;
import org.detrdistill.core.train.DetectorTrainer;
import org.detrdistill.core.train.JsonLinesMetrics;
import org.detrdistill.core.train.NonFiniteGuard;
import org.detrdistill.core.train.StepMetrics;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.TrainingListener;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.distill.DistillMethod;
import org.detrdistill.distill.DistillTermRegistry;
import org.detrdistill.distill.Distillation;
import org.detrdistill.distill.DistillationConfig;
import org.detrdistill.distill.TeacherSpec;
import org.detrdistill.distill.teacher.BoxSelection;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Trains a student detector with knowledge distillation, as {@code detr-distill distill} does it, in one page: the
 * student's detection loss plus the terms of a distillation method (DETRDistill from a checkpoint teacher, Teach-DETR
 * from a teacher's boxes, ...), periodic COCO evaluation and checkpoints. Copy it to start your own: the work is five
 * library calls (read the data, build the student, build the distillation, build the batches, train).
 *
 * <pre>
 * java -cp "examples/target/examples-*.jar:examples/target/lib/*" org.detrdistill.examples.DistillDetector \
 *     work/demo/data work/demo/runs/teacher student.json runs/student [METHOD [STEPS]]
 * </pre>
 * <ul>
 *   <li>{@code DATA_DIR}: a COCO folder ({@code annotations/instances_{train,val}.json}, {@code train/}, {@code val/});</li>
 *   <li>{@code TEACHER}: a checkpoint or training folder ({@link TeacherSpec#ofModel}), or a COCO results file over
 *       the training images ({@code .json}, for {@code teach-detr});</li>
 *   <li>{@code STUDENT.json}: the student's {@code DetectorConfig} (its canvas must be the teacher's; its classes are
 *       set from the data);</li>
 *   <li>{@code METHOD}: {@code detrdistill} (default), {@code teach-detr}, {@code fitnet}, {@code mgd} or {@code none};
 *       {@code STEPS}: training steps (default 1000);</li>
 *   <li>output: the training folder of {@code distill} ({@code best.zip}, {@code last.zip}, {@code metrics.jsonl},
 *       ...) and one line of weighted losses every 10 steps on standard output.</li>
 * </ul>
 * Images are resized to fit the canvas and never flipped or cropped: the boxes of a results-file teacher live in the
 * original image frame and stay aligned only under resizing.
 */
public final class DistillDetector {
    private DistillDetector() {}

    /**
     * Trains {@code student} on {@code dataDir}'s training split with the distillation {@code distill} (null: none),
     * evaluating on its validation split (if any) every {@code trainer.evalEveryEpochs()} epochs.
     *
     * @return the trainer after training ({@link DetectorTrainer#lastEvaluation()}, checkpoints)
     * @throws IOException              a file cannot be read or a checkpoint written
     * @throws IllegalArgumentException a config or file is invalid (the message names it), or teacher and student do
     *                                  not fit a configured term (the message says why)
     */
    public static DetectorTrainer run(Path dataDir, DetectorConfig student, DistillationConfig distill, TrainerConfig trainer,
                                      Path outputDir, PrintStream out) throws IOException {
        CocoDataset train = CocoSplit.inDataDir(dataDir, "train").read();
        CocoSplit valSplit = CocoSplit.inDataDir(dataDir, "val");
        CocoDataset val = Files.exists(valSplit.annotations()) ? valSplit.read() : null;
        DetectorConfig config = student.toBuilder().numClasses(train.categories().size()).build();
        DetectorGraph graph = Detectors.build(config, DataType.FLOAT, trainer.seed());
        DetectionObjective detection = new DetectionObjective(graph);
        Files.createDirectories(outputDir);
        try (Distillation distillation = distill == null ? null : Distillation.create(distill, detection, train);
             CocoDetectionIterator batches = CanvasData.trainBatches(train, config,
                     LoaderConfig.builder().batchSize(4).workers(1).seed(trainer.seed()).build(), false);
             JsonLinesMetrics metrics = new JsonLinesMetrics(outputDir.resolve("metrics.jsonl"))) {
            if (distillation != null) {
                out.println("teacher: " + distillation.teacher().describe());
                out.println("terms: " + distill.terms().keySet());
            }
            TrainingListener log = new TrainingListener() {
                @Override public void onStepEnd(StepMetrics m) {
                    if (m.step() % 10 != 0) return;
                    out.println("step " + m.step() + " loss " + format(m.totalLoss()) + " " + m.weighted().entrySet().stream()
                            .map(e -> e.getKey() + "=" + format(e.getValue())).collect(Collectors.joining(" ")));
                }
            };
            DetectorEvaluator evaluator = val == null ? null : CanvasData.evaluator(val, config, 4, 1, trainer.topK());
            DetectorTrainer t = new DetectorTrainer(distillation == null ? detection : distillation.objective(), trainer,
                    outputDir, List.of(new NonFiniteGuard(), metrics, log,
                    ConsoleProgress.auto(trainer.totalSteps(batches.batchesPerEpoch()))));
            TrainedDetector.writeCategories(outputDir, train.categories());   // class names for predict/eval
            TrainingState done = t.fit(batches, evaluator, true);
            out.println("done: epoch " + done.epoch() + ", step " + done.step());
            return t;
        }
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** {@code DistillDetector DATA_DIR TEACHER STUDENT.json OUT_DIR [METHOD [STEPS]]}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 4 || args.length > 6) {
            System.err.println("usage: DistillDetector DATA_DIR TEACHER STUDENT.json OUT_DIR [METHOD [STEPS]]");
            System.exit(2);
        }
        System.err.println(NativeRuntime.prepare());   // native build for this CPU, thread setting
        GradientLogFilter.install();                    // SameDiff prints a line per op when it builds gradients
        Path teacherFile = Path.of(args[1]);
        TeacherSpec teacher = teacherFile.toString().endsWith(".json")
                ? TeacherSpec.results(teacherFile, BoxSelection.DEFAULT_THRESHOLD)
                : TeacherSpec.ofModel(teacherFile, BoxSelection.DEFAULT_THRESHOLD);
        DistillMethod method = DistillMethod.of(args.length > 4 ? args[4] : "detrdistill");
        DistillationConfig distill = method.config(List.of(teacher), Map.of(), DistillTermRegistry.standard()).orElse(null);
        DetectorConfig student = DetectorConfig.read(Path.of(args[2]));
        TrainerConfig trainer = TrainerConfig.builder(student.variant()).epochs(1_000_000)
                .maxIterations(args.length > 5 ? Long.parseLong(args[5]) : 1000).evalEveryEpochs(5).build();
        DetectorTrainer t = run(Path.of(args[0]), student, distill, trainer, Path.of(args[3]), System.out);
        if (t.lastEvaluation() != null) System.out.print(t.lastEvaluation().summary());
    }
}
