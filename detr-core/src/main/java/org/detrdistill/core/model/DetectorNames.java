package org.detrdistill.core.model;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The named-input and named-output contract every detector graph honours, whatever its variant. Losses, trainers,
 * distillers, exporters and the ONNX teacher adapter address these names and never a graph's internals.
 *
 * <p>Notation: B images, Q queries, C classes (sigmoid, no background column), L decoder stages (k = 0..L-1, the
 * last is the final prediction), d model width, N_l the number of feature levels, H_l × W_l the size of level l.
 * Boxes are cxcywh normalised by the unpadded image size.
 *
 * <table>
 *   <caption>Inputs (placeholders)</caption>
 *   <tr><td>{@value #IMAGES}</td><td>{@code [B,3,H,W]} float, RGB normalised with ImageNet mean/std, zero-padded</td></tr>
 *   <tr><td>{@value #PIXEL_MASK}</td><td>{@code [B,H,W]} float, 1 = padding, 0 = image</td></tr>
 *   <tr><td>{@code level_<l>/…}</td><td>per-level geometry computed in Java from the pixel mask (masks, positional
 *   encodings, reference points), computed and fed by {@code DetectorGraph.feeds}.</td></tr>
 * </table>
 * <table>
 *   <caption>Outputs</caption>
 *   <tr><td>{@value #LOGITS}</td><td>{@code [B,Q,C]} final class logits (= stage L-1)</td></tr>
 *   <tr><td>{@value #BOXES}</td><td>{@code [B,Q,4]} final boxes, cxcywh normalised (= stage L-1)</td></tr>
 *   <tr><td>{@code stage_<k>/logits}</td><td>{@code [B,Q,C]} class logits of decoder stage k</td></tr>
 *   <tr><td>{@code stage_<k>/boxes}</td><td>{@code [B,Q,4]} boxes of decoder stage k, cxcywh normalised</td></tr>
 *   <tr><td>{@code stage_<k>/hidden}</td><td>{@code [B,Q,d]} decoder output embeddings of stage k (after the decoder
 *   norm where the variant has one)</td></tr>
 *   <tr><td>{@code stage_<k>/reference}</td><td>{@code [B,Q,2|4]} reference points/boxes the stage used, normalised</td></tr>
 *   <tr><td>{@code feature_<l>}</td><td>{@code [B,d,H_l,W_l]} multi-scale features entering the encoder (the neck
 *   outputs), level 0 = finest</td></tr>
 *   <tr><td>{@value #MEMORY}</td><td>{@code [B,S,d]} encoder output, S = Σ H_l·W_l (= the flattened features for
 *   variants without an encoder)</td></tr>
 *   <tr><td>{@value #QUERY_EMBED}</td><td>{@code [Q,dq]} the learned object queries (Deformable: {@code [Q,2d]} =
 *   position ‖ content; Conditional: {@code [Q,d]}; AdaMixer: {@code [Q,d]} content)</td></tr>
 *   <tr><td>{@value #INIT_REFERENCE}</td><td>{@code [B,Q,2|4]} initial reference points/boxes, normalised</td></tr>
 * </table>
 * <table>
 *   <caption>Extra query groups (only in graphs that add one with {@code DetectorGraph.addQueryGroup}; training only)</caption>
 *   <tr><td>{@code <g>/queries}</td><td>placeholder {@code [1|B,Qg,dq]}: the group's queries in the {@value #QUERY_EMBED}
 *   form, when the graph declares it ({@link #groupQueries}); a caller may instead pass its own variable</td></tr>
 *   <tr><td>{@code <g>/stage_<k>/logits}</td><td>{@code [B,Qg,C]} class logits of decoder stage k on the group's queries</td></tr>
 *   <tr><td>{@code <g>/stage_<k>/boxes}</td><td>{@code [B,Qg,4]} boxes of stage k, cxcywh normalised</td></tr>
 *   <tr><td>{@code <g>/stage_<k>/hidden}</td><td>{@code [B,Qg,d]} decoder output embeddings of stage k</td></tr>
 *   <tr><td>{@code <g>/stage_<k>/reference}, {@code <g>/init_reference}</td><td>as the detector's own, for the group</td></tr>
 * </table>
 * The group {@value #QUERY_PRIOR} holds the teacher's queries in DETRDistill's query-prior assignment distillation
 * (METHOD §2c). A group runs the decoder and heads a second time with the same weights on the same features; the groups
 * never attend to each other and the detector's own outputs do not depend on any group.
 */
public final class DetectorNames {
    public static final String IMAGES = "images";
    public static final String PIXEL_MASK = "pixel_mask";
    public static final String LOGITS = "pred_logits";
    public static final String BOXES = "pred_boxes";
    public static final String MEMORY = "memory";
    public static final String QUERY_EMBED = "query_embed";
    public static final String INIT_REFERENCE = "init_reference";
    /** The query group of DETRDistill's query-prior assignment distillation: the teacher's queries. */
    public static final String QUERY_PRIOR = "query_prior";

    private DetectorNames() {}

    /** {@code stage_<k>/logits}: {@code [B,Q,C]}. */
    public static String stageLogits(int k) { return "stage_" + k + "/logits"; }

    /** {@code stage_<k>/boxes}: {@code [B,Q,4]} cxcywh normalised. */
    public static String stageBoxes(int k) { return "stage_" + k + "/boxes"; }

    /** The logits and boxes of each of {@code stages}, in order: what a matching of those stages reads. */
    public static Set<String> stagePredictions(IntStream stages) {
        Set<String> names = new LinkedHashSet<>();
        stages.forEach(k -> {
            names.add(stageLogits(k));
            names.add(stageBoxes(k));
        });
        return names;
    }

    /** {@link #stagePredictions(IntStream)} of stages {@code 0..count-1}. */
    public static Set<String> stagePredictions(int count) {
        return stagePredictions(IntStream.range(0, count));
    }

    /** {@code stage_<k>/hidden}: {@code [B,Q,d]}. */
    public static String stageHidden(int k) { return "stage_" + k + "/hidden"; }

    /** {@code stage_<k>/reference}: {@code [B,Q,2|4]}. */
    public static String stageReference(int k) { return "stage_" + k + "/reference"; }

    /** {@code feature_<l>}: {@code [B,d,H_l,W_l]}. */
    public static String feature(int l) { return "feature_" + l; }

    /** {@code <group>/<name>}: the output {@code name} of query group {@code group}, e.g. {@code query_prior/stage_0/logits}. */
    public static String inGroup(String group, String name) { return group + "/" + name; }

    /** {@code <group>/queries}: the placeholder of a group's queries {@code [1|B,Qg,dq]}, where the graph declares one. */
    public static String groupQueries(String group) { return inGroup(group, "queries"); }

    /** Prefix of the per-level geometry placeholders of level {@code l}: {@code level_<l>/}. */
    public static String level(int l) { return "level_" + l + "/"; }
}
