package org.detrdistill.distill.teacher;

import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.postprocess.PostProcessor;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.CheckpointFile;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.distill.TeacherOutputs;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A teacher that is a detector of this framework: rebuilt from a checkpoint's {@link DetectorConfig}, its weights
 * loaded, then frozen. Its graph is separate from the student's and holds no trainable variable (every parameter is
 * converted to a constant), so no optimizer ever sees it.
 *
 * <p>Per batch, {@link #run} does ONE {@link DetectorGraph#forward} and returns (names from {@link DetectorNames},
 * shapes with the teacher's own {@code Q_T}, {@code d_T}, {@code L_T}):
 * <ul>
 *   <li>{@code pred_logits [B,Q_T,C]}, {@code pred_boxes [B,Q_T,4]} cxcywh normalised;</li>
 *   <li>every stage's {@code stage_<k>/logits}, {@code /boxes}, {@code /hidden [B,Q_T,d_T]} (and {@code /reference}
 *       where the variant has one);</li>
 *   <li>{@code feature_<l> [B,d_T,H_l,W_l]}, {@code memory [B,S,d_T]}, {@code query_embed [Q_T,dq]}
 *       ({@code init_reference} where present);</li>
 *   <li>its own Hungarian assignment of every stage's predictions to the ground truth (cost from
 *       {@link Options#matcher()}, Deformable DETR's 2/5/2 by default), for query-prior distillation;</li>
 *   <li>box-level outputs for Teach-DETR: the top-{@link Options#topK()} (query, class) pairs of the final stage by
 *       sigmoid score (as the post-processor), filtered by {@link Options#boxes()}: boxes {@code [n,4]} cxcywh
 *       normalised, scores, contiguous labels.</li>
 * </ul>
 * Teacher and student must share the input canvas: a batch of another size fails with a message saying so.
 */
public final class NativeTeacher implements DetectorTeacher {
    private final DetectorGraph detector;
    private final String source;
    private final Options options;
    private final HungarianMatcher matcher;
    private final PostProcessor topK;
    private final List<String> outputs;
    private long forwardCount;

    /**
     * How the teacher's assignments and boxes are computed.
     *
     * @param matcher cost of its own Hungarian assignment to the ground truth (the main matcher's)
     * @param topK    (query, class) pairs taken from the final stage before {@code boxes} filters them
     * @param boxes   threshold and cap of the box-level outputs
     */
    public record Options(MatcherConfig matcher, int topK, BoxSelection boxes) {
        public Options {
            Objects.requireNonNull(matcher, "matcher");
            Objects.requireNonNull(boxes, "boxes");
            if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }

        /** Deformable DETR's matcher, top 100, {@link BoxSelection#defaults()}. */
        public static Options defaults() {
            return new Options(MatcherConfig.deformableDetr(), PostProcessor.DEFAULT_TOP_K, BoxSelection.defaults());
        }

        /** The same options with another box selection. */
        public Options withBoxes(BoxSelection selection) {
            return new Options(matcher, topK, selection);
        }
    }

    private NativeTeacher(DetectorGraph detector, String source, Options options) {
        this.detector = detector;
        this.source = source;
        this.options = Objects.requireNonNull(options, "options");
        this.matcher = new HungarianMatcher(options.matcher());
        this.topK = PostProcessor.sigmoidTopK(options.topK());
        this.outputs = List.copyOf(availableOutputs(detector));
    }

    /**
     * Reads a checkpoint written by the trainer ({@code last.zip}, {@code best.zip}), rebuilds its detector and freezes it.
     *
     * @throws IllegalArgumentException if the file is not a readable checkpoint or its arrays do not fit its own
     *                                  configuration (the message names the file)
     */
    public static NativeTeacher load(Path checkpoint, Options options) {
        Checkpoint c;
        try {
            c = CheckpointFile.read(checkpoint);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot load the teacher checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
        return fromCheckpoint(c, checkpoint.toString(), options);
    }

    /**
     * Builds a frozen teacher from checkpoint contents.
     *
     * @param source named in messages and {@link #describe()} (e.g. the file)
     */
    public static NativeTeacher fromCheckpoint(Checkpoint checkpoint, String source, Options options) {
        DataType type = checkpoint.parameters().values().stream().findFirst().map(INDArray::dataType).orElse(DataType.FLOAT);
        DetectorGraph det = Detectors.build(checkpoint.config(), type, 0);
        try {
            // the detector's arrays only: a distilled teacher's adapters are skipped; ND4J's random state is untouched
            checkpoint.restoreWeights(det.sameDiff());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("teacher checkpoint " + source + " does not fit the detector its own config "
                    + "describes: " + e.getMessage(), e);
        }
        freeze(det.sameDiff());
        return new NativeTeacher(det, source, options);
    }

    /** Converts every trainable variable of {@code sd} to a constant (the values are kept). */
    static void freeze(SameDiff sd) {
        List<SDVariable> vars = new ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) vars.add(v);
        if (!vars.isEmpty()) sd.convertToConstants(vars);
    }

    /** The teacher's (frozen) detector graph. Do not train it. */
    public DetectorGraph detector() { return detector; }

    /** The teacher's architecture. */
    public DetectorConfig config() { return detector.config(); }

    public Options options() { return options; }

    /** Number of forward passes run so far (one per {@link #run}). */
    public long forwardCount() { return forwardCount; }

    @Override public int inputHeight() { return config().inputHeight(); }

    @Override public int inputWidth() { return config().inputWidth(); }

    @Override public int numClasses() { return config().numClasses(); }

    @Override public int hiddenDim() { return config().hiddenDim(); }

    @Override public Set<String> provides() { return Collections.unmodifiableSet(new LinkedHashSet<>(outputs)); }

    @Override public int numStages() { return detector.numStages(); }

    @Override
    public TeacherOutputs run(DetectionBatch batch) {
        DetectorConfig c = config();
        if (batch.height() != c.inputHeight() || batch.width() != c.inputWidth()) {
            throw new IllegalArgumentException("the batch is " + batch.height() + "x" + batch.width() + " but the teacher "
                    + describe() + " was built for the canvas " + c.inputHeight() + "x" + c.inputWidth()
                    + ": teacher and student must share the input canvas");
        }
        DetectorOutputs out = detector.forward(batch.images(), batch.mask(), outputs.toArray(new String[0]));
        forwardCount++;
        List<List<Assignment>> assignments = new ArrayList<>();
        for (int k = 0; k < numStages(); k++) {
            assignments.add(matcher.match(out.stageLogits(k), out.stageBoxes(k), batch.targets()));
        }
        BoxLevelOutputs b = BoxLevelOutputs.of(out.logits(), out.boxes(), batch, topK, options.boxes());
        return new TeacherOutputs(new LinkedHashMap<>(out.arrays()), assignments, b.boxes(), b.scores(), b.labels());
    }

    @Override
    public String describe() {
        return "native " + config().variant().name().toLowerCase() + " (checkpoint " + source + ")";
    }

    private static List<String> availableOutputs(DetectorGraph det) {
        SameDiff sd = det.sameDiff();
        List<String> names = new ArrayList<>(List.of(DetectorNames.LOGITS, DetectorNames.BOXES));
        for (int k = 0; k < det.numStages(); k++) {
            names.add(DetectorNames.stageLogits(k));
            names.add(DetectorNames.stageBoxes(k));
            names.add(DetectorNames.stageHidden(k));
            if (sd.hasVariable(DetectorNames.stageReference(k))) names.add(DetectorNames.stageReference(k));
        }
        for (int l = 0; sd.hasVariable(DetectorNames.feature(l)); l++) names.add(DetectorNames.feature(l));
        for (String n : List.of(DetectorNames.MEMORY, DetectorNames.QUERY_EMBED, DetectorNames.INIT_REFERENCE)) {
            if (sd.hasVariable(n)) names.add(n);
        }
        return names;
    }
}
