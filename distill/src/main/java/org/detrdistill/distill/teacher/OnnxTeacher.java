package org.detrdistill.distill.teacher;

import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.onnx.OnnxModel;
import org.detrdistill.core.onnx.OnnxOutputMapping;
import org.detrdistill.core.onnx.OnnxTeacherBundle;
import org.detrdistill.core.onnx.OnnxTeacherGraph;
import org.detrdistill.core.postprocess.PostProcessor;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.distill.TeacherOutputs;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A teacher imported from ONNX as a graph ({@link OnnxTeacherGraph}: rewritten, imported into SameDiff, every weight
 * a constant). Loaded from a teacher bundle ({@link OnnxTeacherBundle}, written by {@code detr-distill import-onnx}) or
 * from a {@code .onnx} file with an {@link OnnxOutputMapping}.
 *
 * <p>Per batch, {@link #run} runs the graph once (image by image when it was exported for batch 1) and returns what the
 * mapping provides, by {@link DetectorNames} name: {@code pred_logits [B,Q,C]}, {@code pred_boxes [B,Q,4]} (cxcywh
 * normalised), {@code stage_<k>/logits|boxes|hidden}, {@code memory [B,S,d]}, {@code feature_<l> [B,d,H_l,W_l]}; plus,
 * as {@link NativeTeacher} does, its own Hungarian assignment of every stage to the ground truth (when every stage's
 * logits and boxes are mapped) and box-level outputs (top-k (query, class) pairs of the final stage, then the
 * {@link BoxSelection}). The final logits and boxes are required; {@link #components()} says which terms the other
 * outputs allow (Teach-DETR needs only boxes and scores).
 *
 * <p>The graph is specialised to the export's input size: teacher and student share that canvas. The exported graph
 * has no pixel-mask input (the export traced an unpadded image), so padding of the student's batches is seen by the
 * teacher as image content: use it with batches that are not padded (images resized to the canvas), or accept that.
 */
public final class OnnxTeacher implements DetectorTeacher {
    private final OnnxTeacherGraph graph;
    private final String source;
    private final NativeTeacher.Options options;
    private final HungarianMatcher matcher;
    private final PostProcessor topK;
    private final int numClasses, hiddenDim;
    private final boolean allStages;
    private long runs;

    private OnnxTeacher(OnnxTeacherGraph graph, String source, NativeTeacher.Options options) {
        this.graph = graph;
        this.source = source;
        this.options = Objects.requireNonNull(options, "options");
        this.matcher = new HungarianMatcher(options.matcher());
        this.topK = PostProcessor.sigmoidTopK(options.topK());
        OnnxOutputMapping m = graph.mapping();
        this.numClasses = (int) lastDim(graph.model(), m.logits());
        this.hiddenDim = m.hidden() != null ? (int) lastDim(graph.model(), m.hidden())
                : m.features().isEmpty() ? 0 : (int) shape(graph.model(), m.features().get(0))[1];
        boolean all = graph.numStages() > 0;
        for (int k = 0; k < graph.numStages(); k++) {
            all &= graph.provides().contains(DetectorNames.stageLogits(k)) && graph.provides().contains(DetectorNames.stageBoxes(k));
        }
        this.allStages = all;
    }

    /**
     * Loads a teacher bundle ({@code import-onnx} output) and imports its graph (the first import in a JVM also loads
     * DL4J's op descriptors: about a minute of CPU).
     *
     * @param options the assignment matcher, top-k and box selection (as for a native teacher)
     * @throws IllegalArgumentException naming the file when it is not a readable bundle, or its mapping lacks the
     *                                  final logits or boxes
     */
    public static OnnxTeacher load(Path bundle, NativeTeacher.Options options) {
        return of(OnnxTeacherBundle.read(bundle), options);
    }

    /**
     * A teacher from a {@code .onnx} file with a static image input {@code [B,3,H,W]}.
     *
     * @param mapping its outputs → the contract; null = {@link OnnxOutputMapping#forModel} (the exporter's mapping file
     *                beside the model, else the DETR default names)
     */
    public static OnnxTeacher load(Path onnxFile, OnnxOutputMapping mapping, NativeTeacher.Options options) {
        OnnxModel model = OnnxModel.read(onnxFile);
        OnnxOutputMapping m = mapping != null ? mapping : OnnxOutputMapping.forModel(onnxFile, model);
        if (model.inputs().size() != 1 || !model.inputs().get(0).isStatic()) {
            throw new IllegalArgumentException(onnxFile + ": a teacher needs one image input of static shape [B,3,H,W], the "
                    + "graph has " + model.inputs() + "; export at a fixed size (no dynamic_axes)");
        }
        return of(new OnnxTeacherBundle(model, m, model.inputs().get(0).name(), model.inputs().get(0).shape(), onnxFile.toString()), options);
    }

    /** Imports and freezes the bundle's graph. */
    public static OnnxTeacher of(OnnxTeacherBundle bundle, NativeTeacher.Options options) {
        OnnxOutputMapping m = bundle.mapping();
        if (m.logits() == null || m.boxes() == null) {
            throw new IllegalArgumentException(bundle.source() + ": an ONNX teacher needs its final logits and boxes (mapping "
                    + "fields 'logits' and 'boxes'); its mapping has " + m.byField().keySet());
        }
        OnnxTeacherGraph g = OnnxTeacherGraph.load(bundle.model(), m, OnnxTeacherGraph.exampleInput(bundle.inputShape()));
        return new OnnxTeacher(g, bundle.source(), options);
    }

    private static long[] shape(OnnxModel model, String output) {
        for (OnnxModel.TensorInfo t : model.outputs()) if (t.name().equals(output)) return t.shape();
        throw new IllegalArgumentException(model.source() + " has no output '" + output + "'");
    }

    private static long lastDim(OnnxModel model, String output) {
        long[] s = shape(model, output);
        if (s.length == 0 || s[s.length - 1] < 1) {
            throw new IllegalArgumentException(model.source() + ": output '" + output + "' has no static last dimension "
                    + Arrays.toString(s));
        }
        return s[s.length - 1];
    }

    /** The imported graph. */
    public OnnxTeacherGraph graph() { return graph; }

    public NativeTeacher.Options options() { return options; }

    /** Which distillation terms this teacher's outputs allow. */
    public List<TeacherComponents.Component> components() { return TeacherComponents.of(this); }

    /** Number of {@link #run} calls so far (one graph pass each, or one per image for a batch-1 export). */
    public long runCount() { return runs; }

    @Override public Set<String> provides() { return graph.provides(); }

    @Override public int numStages() { return graph.numStages(); }

    @Override public int inputHeight() { return (int) graph.inputShape()[2]; }

    @Override public int inputWidth() { return (int) graph.inputShape()[3]; }

    @Override public int numClasses() { return numClasses; }

    @Override public int hiddenDim() { return hiddenDim; }

    @Override
    public TeacherOutputs run(DetectionBatch batch) {
        if (batch.height() != inputHeight() || batch.width() != inputWidth()) {
            throw new IllegalArgumentException("the batch is " + batch.height() + "x" + batch.width() + " but the teacher "
                    + describe() + " was exported for " + inputHeight() + "x" + inputWidth()
                    + ": teacher and student must share the input canvas");
        }
        Map<String, INDArray> out = graph.run(batch.images());
        runs++;
        List<List<Assignment>> assignments = new ArrayList<>();
        if (allStages) {
            for (int k = 0; k < numStages(); k++) {
                assignments.add(matcher.match(out.get(DetectorNames.stageLogits(k)), out.get(DetectorNames.stageBoxes(k)), batch.targets()));
            }
        }
        BoxLevelOutputs b = BoxLevelOutputs.of(out.get(DetectorNames.LOGITS), out.get(DetectorNames.BOXES), batch, topK, options.boxes());
        return new TeacherOutputs(new LinkedHashMap<>(out), assignments, b.boxes(), b.scores(), b.labels());
    }

    @Override
    public String describe() {
        return "onnx (" + source + ", " + inputHeight() + "x" + inputWidth() + ", " + numStages() + " stage(s))";
    }
}
