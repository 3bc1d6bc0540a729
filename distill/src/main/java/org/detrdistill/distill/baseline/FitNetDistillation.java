package org.detrdistill.distill.baseline;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.detrdistill.FeatureLevels;
import org.detrdistill.distill.detrdistill.FeatureTerm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * FitNet hint distillation on the detector features (METHOD §4, a baseline of the DETRDistill paper), term name
 * {@value #NAME}:
 * <pre>
 *   L_fitnet = Σ_l mean((φ_l(F^S_l) − F^T_l)²)          mean over B·d_T·H_l·W_l
 * </pre>
 * over every level {@code feature_<l>} (the neck outputs entering the encoder), with {@code φ_l} a learned 1×1
 * convolution {@code d_S → d_T} when the widths differ and identity when they are equal
 * ({@link FeatureLevels#adapt}). Every location counts the same, background included: the behaviour DETRDistill
 * argues against. Returned unweighted as {@code fitnet}.
 *
 * <p>Placeholders: {@code fitnet/teacher_feature_<l> [B,d_T,H_l,W_l]}. Parameters (only when {@code d_S != d_T}):
 * {@code fitnet.adapter.<l>.weight}, {@code fitnet.adapter.<l>.bias}.
 */
public final class FitNetDistillation extends FeatureTerm {
    /** The term name. */
    public static final String NAME = "fitnet";

    /**
     * Options.
     *
     * @param teacherWidth the teacher's feature width {@code d_T}; 0 = the student's width
     * @param seed         seed of the adapter initialisation
     */
    public record Options(int teacherWidth, long seed) {
        public Options {
            if (teacherWidth < 0) throw new IllegalArgumentException(NAME + ": teacherWidth must be >= 0, got " + teacherWidth);
        }

        /** Teacher width = student width, seed 0. */
        public static Options defaults() { return builder().build(); }

        public static Builder builder() { return new Builder(); }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private int teacherWidth;
            private long seed;

            private Builder() {}

            public Builder teacherWidth(int v) { teacherWidth = v; return this; }
            public Builder seed(long v) { seed = v; return this; }
            public Options build() { return new Options(teacherWidth, seed); }
        }
    }

    private final Options options;

    /** @throws IllegalArgumentException if the feature levels differ ({@link FeatureLevels#requireSameLevels}) */
    public FitNetDistillation(DetectorGraph student, Teacher teacher, Options options) {
        super(NAME, student, teacher, Objects.requireNonNull(options, "options").teacherWidth(), options.seed());
        this.options = options;
    }

    /** The options this term was created with. */
    public Options options() { return options; }

    @Override
    public Map<String, SDVariable> build(DetectorGraph graph, Teacher teacher) {
        List<SDVariable> features = studentFeatures(graph);
        return Map.of(NAME, attach(params(graph), features, studentWidth, teacherWidth));
    }

    /**
     * The loss on given student features {@code [B,d_S,H_l,W_l]} (the part of {@link #build} below the detector).
     *
     * @return the scalar {@code fitnet}
     */
    static SDVariable attach(ParamFactory params, List<SDVariable> features, int studentWidth, int teacherWidth) {
        SameDiff sd = params.sd();
        SDVariable total = null;
        for (int l = 0; l < features.size(); l++) {
            SDVariable adapted = FeatureLevels.adapt(params, NAME + ".adapter." + l, features.get(l), studentWidth, teacherWidth);
            SDVariable teacherF = FeatureLevels.featurePlaceholder(sd, teacherFeature(l), params.dataType(), teacherWidth);
            SDVariable diff = adapted.sub(teacherF);
            SDVariable level = diff.mul(diff).mean();
            total = total == null ? level : total.add(level);
        }
        return total.rename(NAME);
    }

    @Override
    public Map<String, INDArray> feeds(DistillContext context) {
        List<INDArray> teacherF = teacherFeatures(context);
        Map<String, INDArray> feeds = new LinkedHashMap<>();
        for (int l = 0; l < levels; l++) feeds.put(teacherFeature(l), teacherF.get(l));
        return feeds;
    }

    /** Placeholder name of the teacher feature of level {@code l}: {@code fitnet/teacher_feature_<l>}. */
    public static String teacherFeature(int l) { return teacherFeaturePlaceholder(NAME, l); }
}
