package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.Teacher;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * DETRDistill's target-aware feature distillation (METHOD §2b; the official {@code Distiller.forward_train}), term
 * name {@value #NAME}. For every teacher decoder stage {@code k} (all {@code L_T} of them, as the official code):
 * <pre>
 *   L_feat^k = Σ_l mean((ψ_kl ⊙ F^T_l − ψ_kl ⊙ φ_l(F^S_l))²)        mean over B·d_T·H_l·W_l
 * </pre>
 * with {@code F_l = feature_<l>} the neck outputs entering the encoder, {@code ψ_kl [B,1,H_l,W_l]} the target-aware
 * mask of stage k ({@link TargetAwareMask}, computed in Java from the teacher and the ground truth and fed), and
 * {@code φ_l} a learned 1×1 convolution {@code d_S → d_T} when the widths differ, identity otherwise
 * ({@link FeatureLevels#adapt}; the official code has none, its widths are equal). The student features are the same
 * for every stage, only ψ changes; the losses {@code kd_feat_<k>} are returned unweighted (λ_feat = 1 by default).
 *
 * <p>Graph: per level {@code S_l = Σ_c (F^T_l − φ_l(F^S_l))² [B,1,H_l,W_l]} once, then per stage
 * {@code L^k = Σ_l mean(S_l ⊙ ψ_kl²) / d_T} (algebraically the formula above).
 *
 * <p>Placeholders (student data type): {@code kd_feat/teacher_feature_<l> [B,d_T,H_l,W_l]},
 * {@code kd_feat/psi_<k>_<l> [B,1,H_l,W_l]}. Parameters (only when {@code d_S != d_T}):
 * {@code kd_feat.adapter.<l>.weight} (YXIO {@code [1,1,d_S,d_T]}), {@code kd_feat.adapter.<l>.bias [d_T]}.
 */
public final class TargetAwareFeatureDistillation extends FeatureTerm {
    /** The term name. */
    public static final String NAME = "kd_feat";

    /**
     * Options.
     *
     * @param topK         selected (query, class) pairs per image and stage (100 in DETRDistill)
     * @param teacherWidth the teacher's feature width {@code d_T}; 0 = the student's width
     * @param seed         seed of the adapter initialisation
     */
    public record Options(int topK, int teacherWidth, long seed) {
        public Options {
            if (topK < 1) throw new IllegalArgumentException(NAME + ": topK must be >= 1, got " + topK);
            if (teacherWidth < 0) throw new IllegalArgumentException(NAME + ": teacherWidth must be >= 0, got " + teacherWidth);
        }

        /** topK 100, teacher width = student width, seed 0. */
        public static Options defaults() { return builder().build(); }

        public static Builder builder() { return new Builder(); }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private int topK = 100;
            private int teacherWidth;
            private long seed;

            private Builder() {}

            public Builder topK(int v) { topK = v; return this; }
            public Builder teacherWidth(int v) { teacherWidth = v; return this; }
            public Builder seed(long v) { seed = v; return this; }
            public Options build() { return new Options(topK, teacherWidth, seed); }
        }
    }

    private final Options options;
    private final int teacherStages;

    /**
     * @param student the student graph the term will be built on
     * @param teacher the teacher (its number of stages and feature levels)
     * @throws IllegalArgumentException if the feature levels differ ({@link FeatureLevels#requireSameLevels}) or the
     *                                  teacher has no decoder stage
     */
    public TargetAwareFeatureDistillation(DetectorGraph student, Teacher teacher, Options options) {
        super(NAME, student, teacher, Objects.requireNonNull(options, "options").teacherWidth(), options.seed());
        this.options = options;
        this.teacherStages = teacher.numStages();
        if (teacherStages < 1) {
            throw new IllegalArgumentException(NAME + ": the teacher (" + teacher.describe() + ") has no decoder stage; "
                    + "target-aware feature distillation needs its stage logits, boxes and hidden states");
        }
    }

    /** The options this term was created with. */
    public Options options() { return options; }

    @Override public Set<String> teacherOutputs() {
        Set<String> out = new LinkedHashSet<>(FeatureLevels.names(levels));
        for (int k = 0; k < teacherStages; k++) {
            out.add(DetectorNames.stageLogits(k));
            out.add(DetectorNames.stageBoxes(k));
            out.add(DetectorNames.stageHidden(k));
        }
        return out;
    }

    @Override
    public Map<String, SDVariable> build(DetectorGraph graph, Teacher teacher) {
        List<SDVariable> features = studentFeatures(graph);
        return attach(params(graph), features, studentWidth, teacherWidth, teacherStages);
    }

    /**
     * Adds the loss graph on given student features (the part of {@link #build} below the detector; tests call it on
     * plain variables).
     *
     * @param features per level the student feature {@code [B,d_S,H_l,W_l]}
     * @return {@code kd_feat_<k>} scalar losses, k = 0..stages-1
     */
    static Map<String, SDVariable> attach(ParamFactory params, List<SDVariable> features, int studentWidth,
                                          int teacherWidth, int stages) {
        SameDiff sd = params.sd();
        DataType type = params.dataType();
        List<SDVariable> sqDiff = new ArrayList<>();
        for (int l = 0; l < features.size(); l++) {
            SDVariable adapted = FeatureLevels.adapt(params, NAME + ".adapter." + l, features.get(l), studentWidth, teacherWidth);
            SDVariable teacherF = FeatureLevels.featurePlaceholder(sd, teacherFeature(l), type, teacherWidth);
            SDVariable diff = teacherF.sub(adapted);
            sqDiff.add(diff.mul(diff).sum(true, 1));                      // [B,1,H,W]
        }
        Map<String, SDVariable> out = new LinkedHashMap<>();
        for (int k = 0; k < stages; k++) {
            SDVariable total = null;
            for (int l = 0; l < features.size(); l++) {
                SDVariable psi = sd.placeHolder(psi(k, l), type, -1, 1, -1, -1);
                SDVariable level = sqDiff.get(l).mul(psi.mul(psi)).mean().div(teacherWidth);
                total = total == null ? level : total.add(level);
            }
            out.put(NAME + "_" + k, total.rename(NAME + "_" + k));
        }
        return out;
    }

    @Override
    public Map<String, INDArray> feeds(DistillContext context) {
        DataType type = student().dataType();
        List<INDArray> teacherF = teacherFeatures(context);
        List<INDArray> vectors = new ArrayList<>();
        for (int k = 0; k < teacherStages; k++) {
            INDArray hidden = context.teacher().get(DetectorNames.stageHidden(k));
            if (hidden.rank() != 3 || hidden.size(2) != teacherWidth) {
                throw new IllegalArgumentException(NAME + ": teacher " + DetectorNames.stageHidden(k) + " must be [B,Q,"
                        + teacherWidth + "] (its hidden width must equal its feature width), got "
                        + java.util.Arrays.toString(hidden.shape()));
            }
            vectors.add(TargetAwareMask.queryVectors(context.teacher().get(DetectorNames.stageLogits(k)),
                    context.teacher().get(DetectorNames.stageBoxes(k)), hidden, context.batch().targets(), options.topK()));
        }
        List<List<INDArray>> psi = TargetAwareMask.psi(teacherF, vectors);
        Map<String, INDArray> feeds = new LinkedHashMap<>();
        for (int l = 0; l < levels; l++) feeds.put(teacherFeature(l), teacherF.get(l));
        for (int k = 0; k < teacherStages; k++) {
            for (int l = 0; l < levels; l++) feeds.put(psi(k, l), psi.get(k).get(l).castTo(type));
        }
        return feeds;
    }

    /** Placeholder name of the teacher feature of level {@code l}: {@code kd_feat/teacher_feature_<l>}. */
    public static String teacherFeature(int l) { return teacherFeaturePlaceholder(NAME, l); }

    /** Placeholder name of ψ of teacher stage {@code k} at level {@code l}: {@code kd_feat/psi_<k>_<l>}. */
    public static String psi(int k, int l) { return NAME + "/psi_" + k + "_" + l; }
}
