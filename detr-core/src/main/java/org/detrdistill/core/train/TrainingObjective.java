package org.detrdistill.core.train;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * What {@link DetectorTrainer} minimises: a scalar loss in the detector's graph, made of named terms, and the
 * placeholder values of one step. {@link DetectionObjective} is the supervised detection loss; the distillation module
 * composes it with distillation terms (teacher outputs enter as placeholders, so the teacher runs once per batch).
 */
public interface TrainingObjective {

    /** The graph being trained (its loss variable is {@link #loss()}). */
    DetectorGraph detector();

    /** Name of the scalar total loss. */
    String loss();

    /** Names of the unweighted loss terms, for logging. */
    List<String> termNames();

    /** Names of the weighted loss terms ({@code <term>_weighted}); they sum to {@link #loss()}. */
    List<String> weightedNames();

    /**
     * Every placeholder value of one training step on {@code batch} (may run forward passes to match).
     *
     * @param step 0-based global step: anything random per step (e.g. MGD's masks) derives from it, so a resumed run
     *             reproduces an uninterrupted one
     */
    Map<String, INDArray> feeds(DetectionBatch batch, long step);

    /**
     * The same placeholder values as {@link #feeds}, split into those known before the forward pass and those computed
     * from forward outputs, so that {@link GradientStep} runs one forward pass for both. The default knows everything
     * in advance ({@link #feeds}, with whatever forward passes it runs).
     */
    default StagedFeeds stagedFeeds(DetectionBatch batch, long step) {
        return StagedFeeds.of(feeds(batch, step));
    }
}
