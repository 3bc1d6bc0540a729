package org.detrdistill.core.model;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Objects;

/**
 * The object queries one decoder pass runs on ({@link DetrBuilder#decoder}), in the variant's query form: the same
 * layout as its {@value DetectorNames#QUERY_EMBED} output ({@code dq = 2d} position ‖ content for Deformable DETR,
 * {@code d} positional queries for Conditional DETR, {@code d} content before its LayerNorm for AdaMixer).
 *
 * @param embed {@code [Q, dq]} the detector's own learned queries ({@code group == null}), or {@code [1|B, Q, dq]}
 *              the queries of an extra query group (shared by every image when the first dimension is 1)
 * @param count Q, known when the graph is built
 * @param group null for the detector's own queries, else the name of the query group (its pass runs inside the SameDiff
 *              name scope {@code group}, with the builder's parameters shared)
 */
public record DecoderQueries(SDVariable embed, int count, String group) {
    public DecoderQueries {
        Objects.requireNonNull(embed, "embed");
        if (count < 1) throw new IllegalArgumentException("a decoder pass needs >= 1 query, got " + count);
    }

    /** The detector's own learned queries {@code [Q, dq]}. */
    public static DecoderQueries own(SDVariable embed, int count) {
        return new DecoderQueries(embed, count, null);
    }

    /** Whether these are the detector's own queries (rank 2), not an extra group's (rank 3). */
    public boolean isOwn() { return group == null; }
}
