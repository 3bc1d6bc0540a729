package org.detrdistill.examples;

import org.detrdistill.core.internal.dl4j.GradientLogFilter;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.runtime.NativeRuntime;
import org.detrdistill.core.train.CanvasData;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.core.train.ConsoleProgress;
import org.detrdistill.core.train.DetectorTrainer;
import org.detrdistill.core.train.JsonLinesMetrics;
import org.detrdistill.core.train.NonFiniteGuard;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.TrainingCurves;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains the tiny Conditional DETR on generated synthetic data and prints its COCO AP table: the whole training API
 * in one page. Copy it and replace the data and the preset with yours.
 *
 * <pre>
 * java -cp "examples/target/examples-*.jar:examples/target/lib/*" org.detrdistill.examples.TrainDetector work/train 5
 * </pre>
 * Arguments: the work folder (default {@code work/train-detector}; {@code data/} and {@code run/} are written into
 * it) and the number of epochs (default 5 over 4,000 generated images: 1,250 steps of 16 images, about 8 minutes of
 * one CPU core; a few hundred images are memorised instead of learnt). The run folder then holds {@code best.zip}/{@code last.zip}
 * (checkpoints for {@code PredictImages} or {@code detr-distill eval/predict}), {@code metrics.jsonl},
 * {@code loss.png} and {@code ap.png}.
 */
public final class TrainDetector {
    private TrainDetector() {}

    /**
     * Generates {@code trainImages + valImages} synthetic 128x128 images into {@code work/data}, trains for
     * {@code epochs} (at most {@code maxIterations} steps if &gt; 0) into {@code work/run} and evaluates.
     *
     * @return the evaluation after the last epoch
     */
    public static CocoEvaluation train(Path work, int trainImages, int valImages, int epochs, long maxIterations)
            throws IOException {
        // 1. data: a COCO folder (annotations/instances_{train,val}.json, train/, val/)
        Path data = work.resolve("data"), run = work.resolve("run");
        SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(trainImages)
                .numValImages(valImages).build(), data);
        CocoDataset train = CocoSplit.inDataDir(data, "train").read();
        CocoDataset val = CocoSplit.inDataDir(data, "val").read();

        // 2. the detector: a preset with the dataset's classes (its canvas, 128x128, is what images are fitted to), 20
        //    queries and, as there are no pretrained weights, every backbone stage trained; the demo's recipe:
        //    batch 16, lr 8e-4 dropped tenfold for the last epoch
        DetectorConfig tiny = DetectorPresets.get("conditional_detr_tiny");
        DetectorConfig config = tiny.toBuilder().numClasses(train.categories().size()).numQueries(20)
                .backbone(tiny.backbone().toBuilder().trainAll().build()).build();
        TrainerConfig.Builder trainer = TrainerConfig.builder(config.variant()).epochs(epochs).maxIterations(maxIterations)
                .lr(8e-4);
        if (epochs > 1) trainer.lrDropEpochs(epochs - 1);

        // 3. train: batches padded to the canvas, evaluation after every epoch, checkpoints in run/
        try (CocoDetectionIterator batches = CanvasData.trainBatches(train, config,
                LoaderConfig.builder().batchSize(16).workers(1).build(), false);
             JsonLinesMetrics metrics = new JsonLinesMetrics(run.resolve("metrics.jsonl"))) {
            TrainerConfig tc = trainer.build();
            DetectorTrainer t = new DetectorTrainer(Detectors.build(config, DataType.FLOAT, 42), tc, run, List.of(
                    new NonFiniteGuard(), metrics, ConsoleProgress.auto(tc.totalSteps(batches.batchesPerEpoch())),
                    new TrainingCurves(run.resolve("loss.png"), run.resolve("ap.png"))));
            t.fit(batches, CanvasData.evaluator(val, config, 16, 1, 100), false);
            TrainedDetector.writeCategories(run, train.categories());   // class names for predictions
            return t.lastEvaluation();
        }
    }

    /** {@code TrainDetector [WORK_DIR] [EPOCHS]}. */
    public static void main(String[] args) throws IOException {
        System.err.println(NativeRuntime.prepare());   // native build for this CPU, thread setting
        GradientLogFilter.install();                    // SameDiff prints a line per op when it builds gradients
        Path work = Path.of(args.length > 0 ? args[0] : "work/train-detector");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.print(train(work, 4000, 100, epochs, 0).summary());   // 5 epochs of 250 steps: AP50 ~0.5
    }
}
