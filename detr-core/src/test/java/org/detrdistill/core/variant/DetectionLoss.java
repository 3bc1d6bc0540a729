package org.detrdistill.core.variant;

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
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test wiring of the detection loss onto a detector graph, as Conditional DETR trains: the focal set criterion
 * (ce 2, L1 5, GIoU 2) on every stage ({@code final} and {@code aux_<k>}), each stage matched to the ground truth on
 * its own by the Hungarian matcher (class 2, L1 5, GIoU 2), outside the graph, on the current predictions.
 */
final class DetectionLoss {
    private final DetectorGraph det;
    private final CriterionGraph criterion;
    private final HungarianMatcher matcher = new HungarianMatcher(MatcherConfig.deformableDetr());
    private final TargetEncoder encoder;
    private final Map<String, String[]> stageOutputs = new LinkedHashMap<>();

    DetectionLoss(DetectorGraph det) {
        this.det = det;
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
        CriterionConfig cfg = CriterionConfig.focalDefaults(det.config().numClasses());
        criterion = new SetCriterion(cfg).build(sd, list);
        encoder = TargetEncoder.forConfig(cfg, det.config().numQueries(), det.dataType());
        sd.setLossVariables(criterion.total().name());
    }

    /** Name of the scalar total loss. */
    String loss() { return criterion.total().name(); }

    /** Every placeholder of one step: the detector's feeds plus the targets encoded from a fresh matching. */
    Map<String, INDArray> feeds(INDArray images, INDArray mask, List<ImageTarget> targets) {
        Map<String, INDArray> feeds = det.feeds(images, mask);
        List<String> names = new ArrayList<>();
        stageOutputs.values().forEach(n -> names.addAll(List.of(n)));
        Map<String, INDArray> out = det.sameDiff().output(feeds, names.toArray(new String[0]));
        Map<String, EncodedTargets> encoded = new LinkedHashMap<>();
        stageOutputs.forEach((stage, n) -> encoded.put(stage, encoder.encode(match(out.get(n[0]), out.get(n[1]), targets), targets)));
        feeds.putAll(criterion.feed(encoded, TargetEncoder.numBoxes(targets)));
        return feeds;
    }

    /** The Hungarian matching of one stage's predictions {@code [B,Q,C]}, {@code [B,Q,4]} to the targets. */
    List<Assignment> match(INDArray logits, INDArray boxes, List<ImageTarget> targets) {
        return matcher.match(logits, boxes, targets);
    }
}
