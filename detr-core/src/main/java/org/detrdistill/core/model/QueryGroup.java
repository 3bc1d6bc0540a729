package org.detrdistill.core.model;

import java.util.Objects;

/**
 * An extra query group of a detector graph ({@link DetectorGraph#addQueryGroup}): the decoder and heads run a second
 * time, on the same features and with the same weights, on {@link #numQueries} other object queries. The groups never
 * attend to each other (separate passes), and the detector's own outputs are unchanged. Its outputs are named
 * {@code <name>/<output>} ({@link DetectorNames#inGroup}):
 * {@code <name>/stage_<k>/logits [B,Qg,C]}, {@code /boxes [B,Qg,4]} cxcywh normalised, {@code /hidden [B,Qg,d]},
 * {@code /reference} (where the detector has it), and {@code <name>/init_reference}.
 *
 * @param name       the group's name, the prefix of its outputs (e.g. {@value DetectorNames#QUERY_PRIOR})
 * @param queries    name of the graph variable holding its queries, {@code [Qg, dq]} or {@code [1|B, Qg, dq]} in the
 *                   detector's query form (a placeholder {@code <name>/queries} when the graph declared it)
 * @param numQueries Qg
 * @param numStages  L, the detector's decoder stages
 */
public record QueryGroup(String name, String queries, int numQueries, int numStages) {
    public QueryGroup {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(queries, "queries");
    }

    /** {@code <name>/stage_<k>/logits}: {@code [B,Qg,C]}. */
    public String stageLogits(int k) { return DetectorNames.inGroup(name, DetectorNames.stageLogits(stage(k))); }

    /** {@code <name>/stage_<k>/boxes}: {@code [B,Qg,4]} cxcywh normalised. */
    public String stageBoxes(int k) { return DetectorNames.inGroup(name, DetectorNames.stageBoxes(stage(k))); }

    /** {@code <name>/stage_<k>/hidden}: {@code [B,Qg,d]}. */
    public String stageHidden(int k) { return DetectorNames.inGroup(name, DetectorNames.stageHidden(stage(k))); }

    /** {@code <name>/stage_<k>/reference}: {@code [B,Qg,2|4]} (present where the detector has stage references). */
    public String stageReference(int k) { return DetectorNames.inGroup(name, DetectorNames.stageReference(stage(k))); }

    /** {@code <name>/init_reference}: {@code [B,Qg,2|4]}. */
    public String initReference() { return DetectorNames.inGroup(name, DetectorNames.INIT_REFERENCE); }

    private int stage(int k) {
        if (k < 0 || k >= numStages) throw new IndexOutOfBoundsException("stage " + k + " outside [0, " + numStages + ")");
        return k;
    }
}
