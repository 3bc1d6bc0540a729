package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.distill.TermOptions;

import java.util.Objects;
import java.util.Set;

/**
 * Options of {@link HungarianLogitsDistillation} (METHOD §2a).
 *
 * @param matcher        student-to-teacher matching cost: soft-BCE class cost 1, L1 5, GIoU 2
 *                       ({@link MatcherConfig#detrDistill()})
 * @param classWeight    weight of the soft BCE-with-logits term (1)
 * @param bboxWeight     weight of the L1 term on matched boxes (5)
 * @param giouWeight     weight of the GIoU term on matched boxes (2)
 * @param splitPositives false (default, the official code): every teacher prediction supervises one student query with
 *                       class and box terms. True: teacher predictions whose max score is {@code >= tauPos} are
 *                       positives (class + box terms, full matching cost); the rest are negatives, matched by box cost
 *                       only and distilled with the class term only, weighted {@code lambdaNeg}
 * @param tauPos         positive threshold on the teacher's max class score, in [0,1] (used when split; 0.5 is this
 *                       framework's default, METHOD gives none)
 * @param lambdaNeg      weight of the negatives' class term, {@code >= 0} (used when split; 1)
 */
public record LogitsDistillationOptions(MatcherConfig matcher, double classWeight, double bboxWeight, double giouWeight,
                                        boolean splitPositives, double tauPos, double lambdaNeg) {
    /** Option names accepted by {@link #from(TermOptions)}. */
    public static final Set<String> NAMES = Set.of("classWeight", "bboxWeight", "giouWeight", "splitPositives", "tauPos",
            "lambdaNeg", "matchClassWeight", "matchBboxWeight", "matchGiouWeight");

    public LogitsDistillationOptions {
        Objects.requireNonNull(matcher, "matcher");
        if (matcher.classCost() != MatcherConfig.ClassCost.SOFT_BCE) {
            throw new IllegalArgumentException("the logits distillation matcher uses the soft-BCE class cost, got "
                    + matcher.classCost());
        }
        nonNegative("classWeight", classWeight);
        nonNegative("bboxWeight", bboxWeight);
        nonNegative("giouWeight", giouWeight);
        nonNegative("lambdaNeg", lambdaNeg);
        if (!(tauPos >= 0 && tauPos <= 1)) throw new IllegalArgumentException("tauPos must be in [0, 1], got " + tauPos);
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0 && Double.isFinite(v))) throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
    }

    /** METHOD's defaults: matcher 1/5/2, losses 1/5/2, no positive/negative split. */
    public static LogitsDistillationOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        return new Builder().matcher(matcher).classWeight(classWeight).bboxWeight(bboxWeight).giouWeight(giouWeight)
                .splitPositives(splitPositives).tauPos(tauPos).lambdaNeg(lambdaNeg);
    }

    /**
     * From a config's term options: {@code classWeight, bboxWeight, giouWeight, splitPositives, tauPos, lambdaNeg},
     * and the matching cost weights {@code matchClassWeight, matchBboxWeight, matchGiouWeight}; absent = default.
     *
     * @throws IllegalArgumentException on an unknown option (listing the valid ones) or a bad value
     */
    public static LogitsDistillationOptions from(TermOptions o) {
        o.requireOnly(NAMES);
        MatcherConfig m = MatcherConfig.detrDistill();
        Builder b = builder().matcher(m.toBuilder().classWeight(o.getDouble("matchClassWeight", m.classWeight()))
                .bboxWeight(o.getDouble("matchBboxWeight", m.bboxWeight()))
                .giouWeight(o.getDouble("matchGiouWeight", m.giouWeight())).build());
        LogitsDistillationOptions d = defaults();
        return b.classWeight(o.getDouble("classWeight", d.classWeight)).bboxWeight(o.getDouble("bboxWeight", d.bboxWeight))
                .giouWeight(o.getDouble("giouWeight", d.giouWeight))
                .splitPositives(o.getBoolean("splitPositives", d.splitPositives))
                .tauPos(o.getDouble("tauPos", d.tauPos)).lambdaNeg(o.getDouble("lambdaNeg", d.lambdaNeg)).build();
    }

    /** Builder; see the record components for meanings and defaults. */
    public static final class Builder {
        private MatcherConfig matcher = MatcherConfig.detrDistill();
        private double classWeight = 1, bboxWeight = 5, giouWeight = 2;
        private boolean splitPositives;
        private double tauPos = 0.5, lambdaNeg = 1;

        private Builder() {}

        public Builder matcher(MatcherConfig v) { matcher = v; return this; }
        public Builder classWeight(double v) { classWeight = v; return this; }
        public Builder bboxWeight(double v) { bboxWeight = v; return this; }
        public Builder giouWeight(double v) { giouWeight = v; return this; }
        public Builder splitPositives(boolean v) { splitPositives = v; return this; }
        public Builder tauPos(double v) { tauPos = v; return this; }
        public Builder lambdaNeg(double v) { lambdaNeg = v; return this; }

        public LogitsDistillationOptions build() {
            return new LogitsDistillationOptions(matcher, classWeight, bboxWeight, giouWeight, splitPositives, tauPos, lambdaNeg);
        }
    }
}
