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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A detector graph with the set criterion (focal, L1, GIoU over every stage) in the same SameDiff instance, and the
 * per-step feed: forward, Hungarian matching of every stage in Java, targets encoded as placeholders. Test helper for
 * the gradient check and the overfitting test.
 */
final class DetectorLoss {
    final DetectorGraph det;
    final CriterionGraph criterion;
    private final HungarianMatcher matcher = new HungarianMatcher(MatcherConfig.deformableDetr());
    private final TargetEncoder encoder;
    private final List<Stage> stages = new ArrayList<>();

    DetectorLoss(DetectorGraph det) {
        this.det = det;
        SameDiff sd = det.sameDiff();
        int l = det.numStages();
        for (int k = 0; k < l - 1; k++) {
            stages.add(Stage.aux(k, sd.getVariable(DetectorNames.stageLogits(k)), sd.getVariable(DetectorNames.stageBoxes(k))));
        }
        stages.add(Stage.last(sd.getVariable(DetectorNames.LOGITS), sd.getVariable(DetectorNames.BOXES)));
        CriterionConfig cfg = CriterionConfig.focalDefaults(det.config().numClasses());
        criterion = new SetCriterion(cfg).build(sd, stages);
        sd.setLossVariables(criterion.total().name());
        encoder = TargetEncoder.forConfig(cfg, det.config().numQueries(), det.dataType());
    }

    String loss() { return criterion.total().name(); }

    /** Runs the detector, matches every stage and returns the full feed (inputs, geometry, targets). */
    Map<String, INDArray> feed(INDArray images, INDArray mask, List<ImageTarget> targets) {
        Map<String, INDArray> inputs = det.feeds(images, mask);
        List<String> names = new ArrayList<>();
        for (Stage s : stages) {
            names.add(s.logits().name());
            names.add(s.boxes().name());
        }
        Map<String, INDArray> out = det.sameDiff().output(inputs, names.toArray(new String[0]));
        Map<String, EncodedTargets> byStage = new LinkedHashMap<>();
        for (Stage s : stages) {
            List<Assignment> a = matcher.match(out.get(s.logits().name()), out.get(s.boxes().name()), targets);
            byStage.put(s.name(), encoder.encode(a, targets));
        }
        Map<String, INDArray> feed = new HashMap<>(inputs);
        feed.putAll(criterion.feed(byStage, TargetEncoder.numBoxes(targets)));
        return feed;
    }
}
