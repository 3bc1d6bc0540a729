package org.detrdistill.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The placeholder values of one training step in two parts: those known before the forward pass ({@link #known}), and
 * those computed from forward values ({@link #fromForward} of {@link #forwardOutputs}), such as the Hungarian matching
 * targets of a detector. {@link GradientStep} then runs the forward pass once for both (see
 * {@code internal.dl4j.StagedGradients}) instead of a separate forward pass for the matching.
 *
 * @param known          placeholder values known in advance (images, masks, positional encodings, ...)
 * @param forwardOutputs graph outputs {@link #fromForward} needs (e.g. every stage's logits and boxes); empty when
 *                       {@code known} is complete
 * @param fromForward    the remaining placeholder values from the {@code forwardOutputs} values (may throw, e.g. a
 *                       {@link NonFiniteException} on diverged predictions); null when {@code forwardOutputs} is empty
 */
public record StagedFeeds(Map<String, INDArray> known, List<String> forwardOutputs,
                          Function<Map<String, INDArray>, Map<String, INDArray>> fromForward) {
    public StagedFeeds {
        Objects.requireNonNull(known, "known");
        forwardOutputs = List.copyOf(forwardOutputs);
        if (!forwardOutputs.isEmpty()) Objects.requireNonNull(fromForward, "fromForward");
    }

    /** All values known in advance: nothing computed from the forward pass. */
    public static StagedFeeds of(Map<String, INDArray> all) { return new StagedFeeds(all, List.of(), null); }

    /** Whether part of the values comes from the forward pass. */
    public boolean staged() { return !forwardOutputs.isEmpty(); }
}
