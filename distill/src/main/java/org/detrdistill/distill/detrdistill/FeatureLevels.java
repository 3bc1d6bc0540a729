package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.nn.Conv2d;
import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.TeacherOutputs;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pairs the student's feature levels {@code feature_<l> [B,d_S,H_l,W_l]} with the teacher's {@code feature_<l>
 * [B,d_T,H_l,W_l]} for the feature-distillation terms ({@code kd_feat}, {@code fitnet}, {@code mgd}), and holds the
 * compatibility rules they share:
 * <ul>
 *   <li><b>levels:</b> level {@code l} of the student is distilled from level {@code l} of the teacher, so both must
 *   have the same number of levels. A different count means a different pyramid (strides), where no level of the
 *   teacher has the geometry of a student level; resampling one pyramid onto the other is not attempted. Checked in
 *   {@link #requireSameLevels} when the term is built.</li>
 *   <li><b>canvas:</b> both run on the same padded canvas, so each level has the same {@code H_l × W_l}. The teacher's
 *   shapes are only known once it ran: checked per step in {@link #teacherFeature}.</li>
 *   <li><b>width:</b> where {@code d_S != d_T} the student feature goes through a learned 1×1 convolution
 *   {@code d_S → d_T} ({@link #adapt}); identity where equal. {@link Teacher} does not expose its width, so the terms
 *   take {@code teacherWidth} as an option and each step checks it against the teacher's arrays.</li>
 * </ul>
 */
public final class FeatureLevels {
    private FeatureLevels() {}

    /** Number of levels {@code feature_0 .. feature_{n-1}} the student graph exposes. */
    public static int studentLevels(SameDiff sd) {
        int n = 0;
        while (sd.hasVariable(DetectorNames.feature(n))) n++;
        return n;
    }

    /** Number of levels {@code feature_0 .. feature_{n-1}} among the teacher's outputs. */
    public static int teacherLevels(Set<String> provides) {
        int n = 0;
        while (provides.contains(DetectorNames.feature(n))) n++;
        return n;
    }

    /** The names {@code feature_0 .. feature_{n-1}}. */
    public static Set<String> names(int levels) {
        Set<String> out = new LinkedHashSet<>();
        for (int l = 0; l < levels; l++) out.add(DetectorNames.feature(l));
        return out;
    }

    /**
     * The common number of feature levels of student and teacher.
     *
     * @param term the distillation term, for the message
     * @throws IllegalArgumentException if the student has none, or the counts differ (explaining why that fails)
     */
    public static int requireSameLevels(String term, DetectorGraph student, Teacher teacher) {
        int s = studentLevels(student.sameDiff());
        int t = teacherLevels(teacher.provides());
        if (s == 0) throw new IllegalArgumentException(term + ": the student graph exposes no feature_0");
        if (s != t) {
            throw new IllegalArgumentException(term + ": the student has " + s + " feature level(s) and the teacher ("
                    + teacher.describe() + ") provides " + t + ". Feature distillation pairs level l of the student with "
                    + "level l of the teacher (same stride, same H_l x W_l on the shared canvas); with different "
                    + "pyramids no such pairing exists, and resampling one pyramid onto the other is not supported. "
                    + "Use a teacher with the same neck levels, or leave the feature terms out.");
        }
        return s;
    }

    /** {@code requested}, or the student's width {@code d_S} when {@code requested == 0}. */
    public static int teacherWidth(int requested, DetectorGraph student) {
        return requested > 0 ? requested : student.config().hiddenDim();
    }

    /**
     * {@code x [B,d_S,H,W]} mapped to the teacher's width: a 1×1 convolution with bias ({@code <prefix>.weight},
     * stored YXIO {@code [1,1,d_S,d_T]}, and {@code <prefix>.bias [d_T]}, PyTorch's default initialisation) when the
     * widths differ, {@code x} itself when they are equal.
     *
     * @return {@code [B,d_T,H,W]}
     */
    public static SDVariable adapt(ParamFactory params, String prefix, SDVariable x, int studentWidth, int teacherWidth) {
        if (studentWidth == teacherWidth) return x;
        return Conv2d.apply(params, prefix, x, studentWidth, teacherWidth, 1, 1, 0, true);
    }

    /** A placeholder {@code [B,d,H,W]} (B, H, W free) of {@code type} for a teacher feature. */
    public static SDVariable featurePlaceholder(SameDiff sd, String name, DataType type, int width) {
        return sd.placeHolder(name, type, -1, width, -1, -1);
    }

    /**
     * The teacher's {@code feature_<level>}, checked against the student's feature of the same level and cast to
     * {@code type}.
     *
     * @param student the student's outputs of this step; must hold {@code feature_<level>}
     * @param width   the teacher width the term was built for
     * @throws IllegalArgumentException naming the term, the level and both shapes when the batch, the width or the
     *                                  canvas (H_l × W_l) disagree
     */
    public static INDArray teacherFeature(String term, TeacherOutputs teacher, Map<String, INDArray> student, int level,
                                          int width, DataType type) {
        String name = DetectorNames.feature(level);
        INDArray t = teacher.get(name);
        INDArray s = student.get(name);
        if (s == null) throw new IllegalArgumentException(term + ": the student outputs of this step lack '" + name + "'");
        if (t.rank() != 4 || s.rank() != 4) {
            throw new IllegalArgumentException(term + ": " + name + " must be [B,d,H,W]; teacher "
                    + Arrays.toString(t.shape()) + ", student " + Arrays.toString(s.shape()));
        }
        if (t.size(0) != s.size(0)) {
            throw new IllegalArgumentException(term + ": teacher " + name + " has batch " + t.size(0) + ", the student "
                    + s.size(0));
        }
        if (t.size(1) != width) {
            throw new IllegalArgumentException(term + ": teacher " + name + " has width " + t.size(1) + " but the term "
                    + "was built for teacherWidth " + width + " (set the option teacherWidth to the teacher's d)");
        }
        if (t.size(2) != s.size(2) || t.size(3) != s.size(3)) {
            throw new IllegalArgumentException(term + ": teacher " + name + " is " + t.size(2) + "x" + t.size(3)
                    + " but the student's is " + s.size(2) + "x" + s.size(3) + ": teacher and student must run on the "
                    + "same input canvas (inputHeight x inputWidth) with the same level strides");
        }
        return t.dataType() == type ? t : t.castTo(type);
    }

    /** The teacher features of every level, each checked as in {@link #teacherFeature}. */
    public static List<INDArray> teacherFeatures(String term, TeacherOutputs teacher, Map<String, INDArray> student,
                                                 int levels, int width, DataType type) {
        List<INDArray> out = new ArrayList<>(levels);
        for (int l = 0; l < levels; l++) out.add(teacherFeature(term, teacher, student, l, width, type));
        return out;
    }
}
