package org.detrdistill.distill.baseline;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.nn.Conv2d;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.detrdistill.FeatureLevels;
import org.detrdistill.distill.detrdistill.FeatureTerm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Masked Generative Distillation (Yang et al., ECCV 2022; official yzd-v/MGD {@code det/mmdet/distillation/losses/mgd.py}),
 * a feature baseline of the DETRDistill paper (METHOD §4), term name {@value #NAME}. Per level {@code feature_<l>}:
 * <pre>
 *   A   = φ_l(F^S_l)                                  1×1 conv d_S → d_T when the widths differ ("align"), else F^S_l
 *   M   ~ Bernoulli(1 − λ) per image and location     [B,1,H_l,W_l]: 0 = masked, with probability λ = maskRatio (0.65)
 *   G   = conv3x3(ReLU(conv3x3(A ⊙ M)))               "generation": d_T → d_T → d_T, padding 1, with bias
 *   L_l = α · Σ (G − F^T_l)² / B                       α = 2e-5 (official alpha_mgd), sum over all elements
 * </pre>
 * {@code mgd = Σ_l L_l}, already weighted by α (leave the objective's λ at 1). The masks are drawn in Java from a
 * seeded generator, per step and level, and fed; a step's masks depend only on (seed, {@link DistillContext#step()},
 * how many masks were drawn before at that step value), so they are reproducible.
 *
 * <p>Placeholders: {@code mgd/teacher_feature_<l> [B,d_T,H_l,W_l]}, {@code mgd/keep_<l> [B,1,H_l,W_l]} (1 = kept).
 * Parameters: {@code mgd.generation.<l>.0.weight/bias}, {@code mgd.generation.<l>.2.weight/bias} (3×3, YXIO), and
 * {@code mgd.align.<l>.weight/bias} when {@code d_S != d_T}; PyTorch's default initialisation.
 *
 * <p>Not thread-safe: {@link #feeds} advances the mask counter.
 */
public final class MaskedGenerativeDistillation extends FeatureTerm {
    /** The term name. */
    public static final String NAME = "mgd";

    /**
     * Options.
     *
     * @param maskRatio    probability λ that a location is masked (official lambda_mgd 0.65)
     * @param alpha        weight α of the summed squared error (official alpha_mgd 2e-5)
     * @param teacherWidth the teacher's feature width {@code d_T}; 0 = the student's width
     * @param seed         seed of the parameters and of the masks
     */
    public record Options(double maskRatio, double alpha, int teacherWidth, long seed) {
        public Options {
            if (!(maskRatio >= 0 && maskRatio < 1)) throw new IllegalArgumentException(NAME + ": maskRatio must be in [0,1), got " + maskRatio);
            if (!(alpha >= 0 && alpha < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(NAME + ": alpha must be finite and >= 0, got " + alpha);
            if (teacherWidth < 0) throw new IllegalArgumentException(NAME + ": teacherWidth must be >= 0, got " + teacherWidth);
        }

        /** λ 0.65, α 2e-5, teacher width = student width, seed 0. */
        public static Options defaults() { return builder().build(); }

        public static Builder builder() { return new Builder(); }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private double maskRatio = 0.65;
            private double alpha = 2e-5;
            private int teacherWidth;
            private long seed;

            private Builder() {}

            public Builder maskRatio(double v) { maskRatio = v; return this; }
            public Builder alpha(double v) { alpha = v; return this; }
            public Builder teacherWidth(int v) { teacherWidth = v; return this; }
            public Builder seed(long v) { seed = v; return this; }
            public Options build() { return new Options(maskRatio, alpha, teacherWidth, seed); }
        }
    }

    private final Options options;
    private long maskStep = Long.MIN_VALUE;
    private long drawsAtStep;

    /** @throws IllegalArgumentException if the feature levels differ ({@link FeatureLevels#requireSameLevels}) */
    public MaskedGenerativeDistillation(DetectorGraph student, Teacher teacher, Options options) {
        super(NAME, student, teacher, Objects.requireNonNull(options, "options").teacherWidth(), options.seed());
        this.options = options;
    }

    /** The options this term was created with. */
    public Options options() { return options; }

    @Override
    public Map<String, SDVariable> build(DetectorGraph graph, Teacher teacher) {
        List<SDVariable> features = studentFeatures(graph);
        return Map.of(NAME, attach(params(graph), features, studentWidth, teacherWidth, options.alpha()));
    }

    /**
     * The loss on given student features {@code [B,d_S,H_l,W_l]} (the part of {@link #build} below the detector).
     *
     * @return the scalar {@code mgd}
     */
    static SDVariable attach(ParamFactory params, List<SDVariable> features, int studentWidth, int teacherWidth, double alpha) {
        SameDiff sd = params.sd();
        DataType type = params.dataType();
        SDVariable total = null;
        for (int l = 0; l < features.size(); l++) {
            SDVariable x = FeatureLevels.adapt(params, NAME + ".align." + l, features.get(l), studentWidth, teacherWidth);
            SDVariable keep = sd.placeHolder(keepMask(l), type, -1, 1, -1, -1);
            SDVariable teacherF = FeatureLevels.featurePlaceholder(sd, teacherFeature(l), type, teacherWidth);
            String gen = NAME + ".generation." + l;
            SDVariable g = Conv2d.apply(params, gen + ".0", x.mul(keep), teacherWidth, teacherWidth, 3, 1, 1, true);
            g = Conv2d.apply(params, gen + ".2", sd.nn.relu(g, 0), teacherWidth, teacherWidth, 3, 1, 1, true);
            SDVariable diff = g.sub(teacherF);
            SDVariable batch = sd.sizeAt(teacherF, 0).castTo(type);
            SDVariable level = diff.mul(diff).sum().div(batch).mul(alpha);
            total = total == null ? level : total.add(level);
        }
        return total.rename(NAME);
    }

    @Override
    public Map<String, INDArray> feeds(DistillContext context) {
        DataType type = student().dataType();
        List<INDArray> teacherF = teacherFeatures(context);
        if (context.step() != maskStep) {
            maskStep = context.step();
            drawsAtStep = 0;
        }
        SplittableRandom rng = new SplittableRandom(mix(options.seed() ^ mix(maskStep ^ mix(drawsAtStep++))));
        Map<String, INDArray> feeds = new LinkedHashMap<>();
        for (int l = 0; l < levels; l++) {
            INDArray t = teacherF.get(l);
            feeds.put(teacherFeature(l), t);
            feeds.put(keepMask(l), drawKeepMask(rng, t.size(0), t.size(2), t.size(3), options.maskRatio()).castTo(type));
        }
        return feeds;
    }

    /**
     * A keep mask as the official {@code where(rand > 1 − λ, 0, 1)}: each entry is 0 with probability {@code ratio}.
     *
     * @return {@code [B,1,H,W]} DOUBLE of 0/1
     */
    public static INDArray drawKeepMask(SplittableRandom rng, long b, long h, long w, double ratio) {
        double[] m = new double[Math.toIntExact(b * h * w)];
        for (int i = 0; i < m.length; i++) m[i] = rng.nextDouble() > 1 - ratio ? 0 : 1;
        return Nd4j.create(m, new long[]{b, 1, h, w}, 'c');
    }

    /** SplitMix64's finaliser (Stafford variant 13). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Placeholder name of the teacher feature of level {@code l}: {@code mgd/teacher_feature_<l>}. */
    public static String teacherFeature(int l) { return teacherFeaturePlaceholder(NAME, l); }

    /** Placeholder name of the keep mask of level {@code l}: {@code mgd/keep_<l>}. */
    public static String keepMask(int l) { return NAME + "/keep_" + l; }
}
