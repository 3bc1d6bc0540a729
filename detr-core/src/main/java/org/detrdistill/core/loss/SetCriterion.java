package org.detrdistill.core.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The DETR set criterion as a SameDiff graph: per stage a classification term ({@link ClassLoss}), an L1 and a GIoU
 * term on matched boxes, each weighted by the {@link CriterionConfig} weight map, summed into one total. Auxiliary
 * decoder stages are just more {@link Stage}s: every stage gets the same terms, named with its suffix.
 *
 * <p>The matching is computed outside the graph (Hungarian matcher) and enters through placeholders: encode it with
 * {@link TargetEncoder} and feed it with {@link CriterionGraph#feed}. The matching is a constant: no gradient flows
 * through it. The same machinery serves distillation: soft class targets, per-query and per-box weights, another
 * prefix for the names, another normaliser.
 *
 * <p>Normalisation: focal, L1 and GIoU terms are divided by the {@code num_boxes} placeholder (the same for every
 * stage); softmax cross-entropy is a weighted mean over queries.
 */
public final class SetCriterion {
    private final CriterionConfig config;
    private final String prefix;

    /** A criterion whose variables carry no name prefix. */
    public SetCriterion(CriterionConfig config) {
        this(config, "");
    }

    /**
     * @param config the terms and weights
     * @param prefix prefix of every variable this criterion creates (e.g. {@code "kd/"}), so that several criteria can
     *               live in one graph; empty for none
     */
    public SetCriterion(CriterionConfig config, String prefix) {
        this.config = Objects.requireNonNull(config, "config");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    public CriterionConfig config() {
        return config;
    }

    public String prefix() {
        return prefix;
    }

    /**
     * Adds the criterion to {@code sd}.
     *
     * @param stages the stages ({@code final}, {@code aux_0}, ...), distinct names; logits {@code [B,Q,K]} with
     *               {@code K = config.classColumns()}, boxes {@code [B,Q,4]} cxcywh normalised, all of one floating type
     * @return the terms, weights, total and placeholders
     * @throws IllegalArgumentException for no stages, duplicate names, or a logits width other than {@code K}
     */
    public CriterionGraph build(SameDiff sd, List<Stage> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("the criterion needs at least one stage");
        }
        DataType dt = stages.get(0).logits().dataType();
        Set<String> seen = new HashSet<>();
        for (Stage s : stages) {
            if (!seen.add(s.name())) {
                throw new IllegalArgumentException("duplicate stage name '" + s.name() + "'");
            }
            long[] shape = s.logits().getShape();
            if (shape != null && (shape.length != 3 || (shape[2] >= 0 && shape[2] != config.classColumns()))) {
                throw new IllegalArgumentException("stage " + s.name() + ": logits '" + s.logits().name() + "' must be [B,Q,"
                        + config.classColumns() + "], got " + Arrays.toString(shape));
            }
            if (s.logits().dataType() != dt || s.boxes().dataType() != dt) {
                throw new IllegalArgumentException("stage " + s.name() + ": logits and boxes must be " + dt);
            }
        }
        SDVariable numBoxes = sd.placeHolder(prefix + "targets/num_boxes", dt);
        Map<String, SDVariable> terms = new LinkedHashMap<>();
        Map<String, SDVariable> weighted = new LinkedHashMap<>();
        Map<String, Double> weights = new LinkedHashMap<>();
        Map<String, StageTargets> targets = new LinkedHashMap<>();
        for (Stage s : stages) {
            String suffix = s.suffix();
            StageTargets t = StageTargets.create(sd, prefix, s.name(), config.classColumns(), dt);
            targets.put(s.name(), t);
            Double wCe = config.weightOf(CriterionConfig.LOSS_CE, suffix);
            if (wCe != null) {
                SDVariable ce = config.classLoss() == ClassLoss.SIGMOID_FOCAL
                        ? SigmoidFocalLoss.build(sd, s.logits(), t.classTarget(), t.queryWeight(), numBoxes,
                        config.focalAlpha(), config.focalGamma())
                        : SoftmaxCrossEntropyLoss.build(sd, s.logits(), t.classTarget(), t.queryWeight(),
                        config.numClasses(), config.eosCoef());
                add(sd, CriterionConfig.LOSS_CE + suffix, ce, wCe, terms, weighted, weights);
            }
            Double wBbox = config.weightOf(CriterionConfig.LOSS_BBOX, suffix);
            Double wGiou = config.weightOf(CriterionConfig.LOSS_GIOU, suffix);
            if (wBbox != null || wGiou != null) {
                SDVariable src = MatchedBoxLoss.matched(sd, s.boxes(), t.srcIndex());
                if (wBbox != null) {
                    add(sd, CriterionConfig.LOSS_BBOX + suffix,
                            MatchedBoxLoss.l1(sd, src, t.targetBoxes(), t.boxWeight(), numBoxes),
                            wBbox, terms, weighted, weights);
                }
                if (wGiou != null) {
                    add(sd, CriterionConfig.LOSS_GIOU + suffix,
                            MatchedBoxLoss.giou(sd, src, t.targetBoxes(), t.boxWeight(), numBoxes),
                            wGiou, terms, weighted, weights);
                }
            }
        }
        if (weighted.isEmpty()) {
            throw new IllegalArgumentException("the weight map builds no term: " + config.weights());
        }
        SDVariable total = null;
        for (SDVariable w : weighted.values()) {
            total = total == null ? w : total.add(w);
        }
        total = sd.updateVariableNameAndReference(total.mul(1.0), prefix + "loss_total");
        return new CriterionGraph(terms, weighted, weights, total, numBoxes, targets);
    }

    private void add(SameDiff sd, String term, SDVariable loss, double weight, Map<String, SDVariable> terms,
                     Map<String, SDVariable> weighted, Map<String, Double> weights) {
        SDVariable named = sd.updateVariableNameAndReference(loss, prefix + term);
        terms.put(term, named);
        weighted.put(term, sd.updateVariableNameAndReference(named.mul(weight), prefix + term + "_weighted"));
        weights.put(term, weight);
    }
}
