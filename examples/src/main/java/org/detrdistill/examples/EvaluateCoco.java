package org.detrdistill.examples;

import org.detrdistill.datasets.eval.CocoDetections;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.detrdistill.datasets.eval.CocoEvaluator;
import org.detrdistill.datasets.eval.CocoGroundTruth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Evaluates a COCO results file against a COCO ground-truth file and prints pycocotools' 12-line stats table.
 * The whole evaluation is three library calls; copy this class to start your own.
 *
 * <pre>
 * java -cp "examples/target/examples-*.jar:examples/target/lib/*" org.detrdistill.examples.EvaluateCoco \
 *     instances_val.json results.json
 * </pre>
 * The ground truth is a COCO instances JSON (images, categories, annotations); the results a JSON array of
 * {@code {"image_id", "category_id", "bbox": [x, y, w, h] (pixels), "score"}}. Needs no ND4J backend.
 */
public final class EvaluateCoco {
    private EvaluateCoco() {}

    /**
     * Reads both files, evaluates and prints the table to {@code out}.
     *
     * @return the evaluation (stats, per-category AP, precision/recall arrays)
     * @throws IOException a file is missing or malformed (the message names the file and entry)
     */
    public static CocoEvaluation evaluate(Path groundTruth, Path results, PrintStream out) throws IOException {
        CocoGroundTruth gt = CocoGroundTruth.read(groundTruth);        // streaming, keeps only what bbox eval needs
        CocoDetections dt = CocoDetections.read(results, gt);           // checks every entry against the GT
        CocoEvaluation evaluation = new CocoEvaluator().evaluate(gt, dt); // evaluate + accumulate + summarize
        out.print(evaluation.summary());
        return evaluation;
    }

    /** {@code EvaluateCoco GT.json RESULTS.json}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: EvaluateCoco GROUND_TRUTH.json RESULTS.json");
            System.exit(2);
        }
        evaluate(Path.of(args[0]), Path.of(args[1]), System.out);
    }
}
