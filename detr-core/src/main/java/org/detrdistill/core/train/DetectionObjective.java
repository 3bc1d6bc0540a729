package org.detrdistill.core.train;

import org.detrdistill.core.loss.CriterionConfig;
import org.detrdistill.core.loss.CriterionGraph;
import org.detrdistill.core.loss.EncodedTargets;
import org.detrdistill.core.loss.SetCriterion;
import org.detrdistill.core.loss.Stage;
import org.detrdistill.core.loss.TargetEncoder;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The detection objective of a detector graph: the set criterion attached to every decoder stage (auxiliary stages
 * {@code aux_0..aux_{L-2}}, the last stage {@code final}), the Hungarian matching of each stage's predictions to the
 * ground truth, and the encoding of the matched targets into the criterion's placeholders.
 *
 * <p>One step needs the predictions before the loss ({@link #feeds} runs the forward pass, matches in Java and encodes),
 * then one forward + backward on the returned feeds; the graph's loss variable is set to {@link #loss()}.
 */
public final class DetectionObjective implements TrainingObjective {
    private final DetectorGraph det;
    private final CriterionGraph criterion;
    private final HungarianMatcher matcher;
    private final TargetEncoder encoder;
    private final Map<String, String[]> stageOutputs = new LinkedHashMap<>();

    /** With the focal criterion (2/5/2) and the matching cost of Deformable DETR (2/5/2). */
    public DetectionObjective(DetectorGraph det) {
        this(det, CriterionConfig.focalDefaults(det.config().numClasses()), MatcherConfig.deformableDetr());
    }

    public DetectionObjective(DetectorGraph det, CriterionConfig criterionConfig, MatcherConfig matcherConfig) {
        if (criterionConfig.numClasses() != det.config().numClasses()) {
            throw new IllegalArgumentException("criterion has " + criterionConfig.numClasses() + " classes, detector "
                    + det.config().numClasses());
        }
        this.det = det;
        this.matcher = new HungarianMatcher(matcherConfig);
        SameDiff sd = det.sameDiff();
        int stages = det.numStages();
        List<Stage> list = new ArrayList<>();
        for (int k = 0; k < stages; k++) {
            String logits = DetectorNames.stageLogits(k), boxes = DetectorNames.stageBoxes(k);
            Stage s = k == stages - 1 ? Stage.last(sd.getVariable(logits), sd.getVariable(boxes))
                    : Stage.aux(k, sd.getVariable(logits), sd.getVariable(boxes));
            list.add(s);
            stageOutputs.put(s.name(), new String[]{logits, boxes});
        }
        this.criterion = new SetCriterion(criterionConfig).build(sd, list);
        this.encoder = TargetEncoder.forConfig(criterionConfig, det.config().numQueries(), det.dataType());
        sd.setLossVariables(criterion.total().name());
    }

    /** Name of the scalar total loss (the weighted sum). */
    @Override public String loss() { return criterion.total().name(); }

    @Override public List<String> termNames() { return criterion.termNames(); }

    @Override public List<String> weightedNames() { return criterion.weightedNames(); }

    @Override public Map<String, INDArray> feeds(DetectionBatch batch, long step) {
        return feeds(batch.images(), batch.mask(), batch.targets(), step);
    }

    /**
     * The detector's feeds, with the criterion's placeholders computed from the stage predictions of the step's own
     * forward pass: the non-finite check ({@link NonFiniteGuard#checkOutputs}), matching and encoding happen between
     * the forward and the backward pass.
     */
    @Override public StagedFeeds stagedFeeds(DetectionBatch batch, long step) {
        List<ImageTarget> targets = batch.targets();
        return new StagedFeeds(det.feeds(batch.images(), batch.mask()), stageOutputNames(), predictions -> {
            NonFiniteGuard.checkOutputs(step, predictions);
            return targetFeeds(predictions, targets);
        });
    }

    /** The criterion's variables: unweighted terms, weighted terms, weights. */
    public CriterionGraph criterion() { return criterion; }

    @Override public DetectorGraph detector() { return det; }

    /**
     * Every placeholder of one step: the detector's feeds plus the targets encoded from a fresh matching of every
     * stage's predictions (one forward pass).
     *
     * @param images  {@code [B,3,H,W]} padded to the canvas
     * @param mask    {@code [B,H,W]}, 1 = padding
     * @param targets one per image, boxes cxcywh normalised
     */
    public Map<String, INDArray> feeds(INDArray images, INDArray mask, List<ImageTarget> targets) {
        return feeds(images, mask, targets, -1);
    }

    /**
     * As {@link #feeds(INDArray, INDArray, List)}, for optimizer step {@code step}: predictions with NaN or infinite
     * values (a diverged model) stop it with a {@link NonFiniteException} naming the step and the output, before the
     * matching.
     */
    public Map<String, INDArray> feeds(INDArray images, INDArray mask, List<ImageTarget> targets, long step) {
        Map<String, INDArray> feeds = det.feeds(images, mask);
        Map<String, INDArray> out = det.sameDiff().output(feeds, stageOutputNames().toArray(new String[0]));
        NonFiniteGuard.checkOutputs(step, out);
        feeds.putAll(targetFeeds(out, targets));
        return feeds;
    }

    /** The graph outputs the matching needs: every stage's logits and boxes. */
    public List<String> stageOutputNames() {
        List<String> names = new ArrayList<>();
        stageOutputs.values().forEach(n -> names.addAll(List.of(n)));
        return names;
    }

    /**
     * The criterion's placeholders from predictions already computed (they must include {@link #stageOutputNames()}):
     * match every stage to {@code targets} and encode. Lets a caller share one forward pass with other consumers.
     */
    public Map<String, INDArray> targetFeeds(Map<String, INDArray> predictions, List<ImageTarget> targets) {
        Map<String, EncodedTargets> encoded = new LinkedHashMap<>();
        stageOutputs.forEach((stage, n) -> encoded.put(stage, encoder.encode(match(predictions.get(n[0]), predictions.get(n[1]), targets), targets)));
        return criterion.feed(encoded, TargetEncoder.numBoxes(targets));
    }

    /** The Hungarian matching of one stage's predictions {@code [B,Q,C]}, {@code [B,Q,4]} to the targets. */
    public List<Assignment> match(INDArray logits, INDArray boxes, List<ImageTarget> targets) {
        return matcher.match(logits, boxes, targets);
    }
}
