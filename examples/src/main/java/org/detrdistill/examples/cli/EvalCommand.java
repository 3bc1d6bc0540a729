package org.detrdistill.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.postprocess.PostProcessor;
import org.detrdistill.core.train.CanvasData;
import org.detrdistill.core.train.CocoSplit;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.eval.CategoryAp;
import org.detrdistill.datasets.eval.CocoDetections;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.detrdistill.datasets.eval.CocoEvaluator;
import org.detrdistill.datasets.eval.CocoGroundTruth;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code detr-distill eval}: COCO bbox evaluation, equal to pycocotools' {@code COCOeval(gt, dt, 'bbox')}.
 *
 * <p>Two forms. Files: {@code eval --gt instances.json --dt results.json [--json] [--per-category]}.
 * {@code --gt} is a COCO instances file, {@code --dt} a COCO results file (a JSON array of
 * {@code {image_id, category_id, bbox [x,y,w,h] pixels, score}}). Output on stdout: one line of counts, then
 * pycocotools' 12-line stats table; or, with {@code --json}, {@link CocoEvaluation#toJson()}. {@code --per-category}
 * adds AP and AP50 per category (with the names from the ground truth).
 *
 * <p>A trained detector: {@code eval --checkpoint FILE_OR_DIR --data DIR [--split val]} rebuilds the detector from
 * the checkpoint's config, loads its weights ({@link TrainedDetector}), runs it over the split (resized and padded to
 * its canvas) and evaluates the top-100 detections per image; same output options. The forms are alternatives in one
 * exclusive group ({@link Source}); only the checkpoint form loads ND4J.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        sortOptions = false,
        description = "COCO bbox evaluation (AP, AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l; equal to pycocotools).",
        footer = {"", "Examples:",
                "  detr-distill eval --gt data/synth/annotations/instances_val.json \\",
                "      --dt results.json --per-category",
                "  detr-distill eval --checkpoint runs/tiny --data data/synth --split val"})
public final class EvalCommand implements Callable<Integer>, UsesNd4j {

    /** What is evaluated: exactly one of the alternative forms. */
    static final class Source {
        @ArgGroup(exclusive = false, multiplicity = "1",
                heading = "%nEvaluate a results file against a ground-truth file:%n")
        ResultFiles files;

        @ArgGroup(exclusive = false, multiplicity = "1",
                heading = "%nEvaluate a trained detector on a dataset split (loads ND4J):%n")
        ModelOnData model;
    }

    /** {@code --checkpoint FILE_OR_DIR --data DIR [--split NAME]}. */
    static final class ModelOnData {
        @Option(names = "--checkpoint", required = true, paramLabel = "FILE_OR_DIR",
                description = "A checkpoint .zip, or a training folder (its best.zip, else last.zip).")
        Path checkpoint;

        @Option(names = "--data", required = true, paramLabel = "DIR",
                description = "COCO dataset folder: annotations/instances_<split>.json and <split>/.")
        Path data;

        @Option(names = "--split", paramLabel = "NAME", defaultValue = "val",
                description = "Split to evaluate (default ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "4",
                description = "Images per forward pass (default ${DEFAULT-VALUE}).")
        int batchSize;
    }

    /** {@code --gt FILE --dt FILE}: both required together. */
    static final class ResultFiles {
        @Option(names = "--gt", required = true, paramLabel = "FILE",
                description = "Ground truth: COCO instances JSON (images, categories, annotations).")
        Path groundTruth;

        @Option(names = "--dt", required = true, paramLabel = "FILE",
                description = "Detections: COCO results JSON array of {image_id, category_id, bbox, score}.")
        Path results;
    }

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    @Option(names = "--json", description = "Print the evaluation as JSON instead of the table.")
    private boolean json;

    @Option(names = "--per-category", description = "Also print AP and AP50 of each category.")
    private boolean perCategory;

    /** Only the checkpoint form runs a model. */
    @Override
    public boolean needsNd4j() {
        return source != null && source.model != null;
    }

    /** Evaluates and prints; exit code 0. */
    @Override
    public Integer call() throws IOException {
        CocoEvaluation ev;
        Path groundTruth;
        String what;
        if (source.model != null) {
            ModelOnData m = source.model;
            if (m.batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + m.batchSize);
            CocoDataset dataset = CocoSplit.inDataDir(m.data, m.split).read();
            TrainedDetector trained = TrainedDetector.load(m.checkpoint);
            DetectorConfig config = trained.detector().config();
            if (config.numClasses() != dataset.categories().size()) {
                throw new IllegalArgumentException(trained.file() + " predicts " + config.numClasses() + " classes but "
                        + dataset.file() + " has " + dataset.categories().size() + " categories");
            }
            ev = CanvasData.evaluator(dataset, config, m.batchSize, 1, PostProcessor.DEFAULT_TOP_K)
                    .evaluate(trained.detector());
            groundTruth = dataset.file();
            what = trained.file() + " (" + config.variant() + ", epoch " + trained.training().epoch() + ", step "
                    + trained.training().step() + ") on " + groundTruth;
        } else {
            ResultFiles f = source.files;
            CliFiles.requireFile(f.groundTruth, "--gt");
            CliFiles.requireFile(f.results, "--dt");
            CocoGroundTruth gt = CocoGroundTruth.read(f.groundTruth);
            CocoDetections dt = CocoDetections.read(f.results, gt);
            ev = new CocoEvaluator().evaluate(gt, dt);
            groundTruth = f.groundTruth;
            what = f.results + " vs " + f.groundTruth;
        }
        Map<Integer, String> names = perCategory ? CocoCategoryNames.read(groundTruth) : Map.of();

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(perCategory ? withNames(ev.toJson(), names) : ev.toJson());
        } else {
            out.printf(Locale.ROOT, "%s: %d images, %d annotations, %d detections%n",
                    what, ev.imageCount(), ev.groundTruthAnnotations(), ev.detections());
            out.print(ev.summary());
            if (perCategory) out.print(perCategoryTable(ev, names));
        }
        out.flush();
        warnSkipped(ev, spec.commandLine().getErr());
        return DetrDistillCli.EXIT_OK;
    }

    /** Notes on stderr for entries pycocotools would silently ignore. */
    private static void warnSkipped(CocoEvaluation ev, PrintWriter err) {
        if (ev.skippedDetections() > 0) {
            err.println("note: " + ev.skippedDetections()
                    + " detection(s) of categories not in the ground truth were skipped");
        }
        if (ev.skippedGroundTruthAnnotations() > 0) {
            err.println("note: " + ev.skippedGroundTruthAnnotations()
                    + " ground-truth annotation(s) of unknown images or categories were skipped");
        }
        err.flush();
    }

    /**
     * The per-category table: {@code id, name, AP, AP50}; categories without ground truth show {@code -}.
     * Numbers as in the stats table (3 decimals).
     */
    static String perCategoryTable(CocoEvaluation ev, Map<Integer, String> names) {
        int nameWidth = 8;
        for (String n : names.values()) nameWidth = Math.max(nameWidth, n.length());
        StringBuilder sb = new StringBuilder();
        String row = "%6s  %-" + nameWidth + "s  %6s  %6s%n";
        sb.append(String.format(Locale.ROOT, row, "id", "category", "AP", "AP50"));
        for (CategoryAp c : ev.perCategory()) {
            sb.append(String.format(Locale.ROOT, row, c.categoryId(), names.getOrDefault(c.categoryId(), ""),
                    value(c.ap()), value(c.ap50())));
        }
        return sb.toString();
    }

    private static String value(double v) {
        return v < 0 ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Adds {@code "name"} to each {@code per_category} entry of {@link CocoEvaluation#toJson()}. */
    private static String withNames(String evaluationJson, Map<Integer, String> names) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(evaluationJson);
        for (var entry : root.path("per_category")) {
            String name = names.get(entry.get("category_id").asInt());
            if (name != null) ((ObjectNode) entry).put("name", name);
        }
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
