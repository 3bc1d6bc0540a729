package org.detrdistill.core.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link SetCriterion#build} added to a graph: the loss terms under stable names, their weights, the weighted
 * total, and the target placeholders to feed.
 *
 * <p>Names (with the criterion's prefix {@code p}, empty by default): unweighted terms {@code p + loss_ce<suffix>}
 * ({@code loss_ce}, {@code loss_bbox_0}, ...; suffix {@code ""} for stage {@code final}, {@code _<i>} for
 * {@code aux_<i>}), weighted terms {@code <term>_weighted}, total {@code p + loss_total}, placeholders
 * {@code p + targets/<stage>/<field>} and {@code p + targets/num_boxes}.
 *
 * @param terms    term name -> scalar unweighted loss, in build order (stage by stage)
 * @param weighted term name -> scalar weighted loss (same keys)
 * @param weights  term name -> weight (same keys)
 * @param total    scalar: the sum of the weighted terms
 * @param numBoxes scalar placeholder: the normaliser of the focal and box terms
 * @param targets  stage name -> its target placeholders
 */
public record CriterionGraph(Map<String, SDVariable> terms, Map<String, SDVariable> weighted,
                             Map<String, Double> weights, SDVariable total, SDVariable numBoxes,
                             Map<String, StageTargets> targets) {
    public CriterionGraph {
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
        weighted = Collections.unmodifiableMap(new LinkedHashMap<>(weighted));
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
    }

    /** Names of the unweighted term variables, for logging. */
    public List<String> termNames() {
        return terms.values().stream().map(SDVariable::name).toList();
    }

    /**
     * The sum of one stage's weighted terms ({@code loss_ce<suffix> + loss_bbox<suffix> + loss_giou<suffix>}, those
     * with a weight), e.g. for a loss reported per stage.
     *
     * @param suffix the stage's {@link Stage#suffix()}
     * @throws IllegalArgumentException if the stage has no weighted term
     */
    public SDVariable stageTotal(String suffix) {
        SDVariable sum = null;
        for (String base : CriterionConfig.TERMS) {
            SDVariable w = weighted.get(base + suffix);
            if (w != null) sum = sum == null ? w : sum.add(w);
        }
        if (sum == null) throw new IllegalArgumentException("no weighted term for the stage suffix '" + suffix + "'");
        return sum;
    }

    /** Names of the weighted term variables, for logging. */
    public List<String> weightedNames() {
        return weighted.values().stream().map(SDVariable::name).toList();
    }

    /**
     * Placeholder values for one step.
     *
     * @param byStage  stage name -> its encoded targets (one entry for every stage of the criterion)
     * @param numBoxes normaliser, usually {@link TargetEncoder#numBoxes}
     * @return placeholder name -> array (add the prediction placeholders of the model)
     * @throws IllegalArgumentException if a stage is missing or unknown
     */
    public Map<String, INDArray> feed(Map<String, EncodedTargets> byStage, double numBoxes) {
        if (!byStage.keySet().equals(targets.keySet())) {
            throw new IllegalArgumentException("encoded targets are for stages " + byStage.keySet()
                    + ", the criterion has stages " + targets.keySet());
        }
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, StageTargets> e : targets.entrySet()) {
            m.putAll(byStage.get(e.getKey()).feed(e.getValue()));
        }
        m.put(this.numBoxes.name(), Nd4j.scalar(this.numBoxes.dataType(), numBoxes));
        return m;
    }
}
