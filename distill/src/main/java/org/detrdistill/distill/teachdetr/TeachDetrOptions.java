package org.detrdistill.distill.teachdetr;

import org.detrdistill.core.loss.CriterionConfig;
import org.detrdistill.core.matcher.MatcherConfig;

import java.util.Objects;

/**
 * Options of {@link TeachDetrTerm} (METHOD §3). The defaults are the student's own detection loss and matcher
 * (Deformable DETR's: focal α 0.25 γ 2 weight 2, L1 5, GIoU 2; matching cost 2/5/2), as Teach-DETR uses the main
 * criterion for the teachers' boxes.
 *
 * @param matcher         matching cost of student predictions to one teacher's boxes (the main matcher's)
 * @param classWeight     weight of the focal classification term (2)
 * @param bboxWeight      weight of the L1 term (5)
 * @param giouWeight      weight of the GIoU term (2)
 * @param focalAlpha      focal α (0.25)
 * @param focalGamma      focal γ (2)
 * @param unmatchedWeight classification weight of queries matched to none of the teacher's boxes (0.5, the official
 *                        code); matched queries are weighted by the box's teacher score
 */
public record TeachDetrOptions(MatcherConfig matcher, double classWeight, double bboxWeight, double giouWeight,
                               double focalAlpha, double focalGamma, double unmatchedWeight) {
    public TeachDetrOptions {
        Objects.requireNonNull(matcher, "matcher");
        nonNegative("classWeight", classWeight);
        nonNegative("bboxWeight", bboxWeight);
        nonNegative("giouWeight", giouWeight);
        nonNegative("focalGamma", focalGamma);
        nonNegative("unmatchedWeight", unmatchedWeight);
        if (!(focalAlpha <= 1)) throw new IllegalArgumentException("focalAlpha must be <= 1 (negative = off), got " + focalAlpha);
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0 && Double.isFinite(v))) throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
    }

    /** The defaults described above. */
    public static TeachDetrOptions defaults() {
        return new TeachDetrOptions(MatcherConfig.deformableDetr(), 2, 5, 2, 0.25, 2, 0.5);
    }

    /** The same options with another unmatched-query weight. */
    public TeachDetrOptions withUnmatchedWeight(double w) {
        return new TeachDetrOptions(matcher, classWeight, bboxWeight, giouWeight, focalAlpha, focalGamma, w);
    }

    /** The same options with another matcher (e.g. the student's main matcher when it is not the default). */
    public TeachDetrOptions withMatcher(MatcherConfig m) {
        return new TeachDetrOptions(m, classWeight, bboxWeight, giouWeight, focalAlpha, focalGamma, unmatchedWeight);
    }

    /** The criterion of these options for {@code numClasses} classes. */
    public CriterionConfig criterion(int numClasses) {
        return CriterionConfig.builder().numClasses(numClasses).focalAlpha(focalAlpha).focalGamma(focalGamma).clearWeights()
                .weight(CriterionConfig.LOSS_CE, classWeight).weight(CriterionConfig.LOSS_BBOX, bboxWeight)
                .weight(CriterionConfig.LOSS_GIOU, giouWeight).build();
    }
}
