package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.model.Variant;
import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.ParamFactory;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps a teacher's object queries {@code [Q_T, dq_T]} to the student's query form {@code [Q_T, dq_S]} for
 * {@link QueryPriorAssignmentDistillation}. A variant's query embedding is made of {@code parts} blocks of width d:
 * Deformable DETR 2 (position ‖ content), Conditional DETR 1 (positional queries), AdaMixer 1 (content, before its
 * LayerNorm). Equal widths: identity (no parameter). Otherwise each block gets its own learned
 * {@code Linear(d_T → d_S)} ({@code <prefix>.<p>.weight [d_S, d_T]}, Xavier-uniform, {@code .bias} 0), so position and
 * content stay separate. The query count is never changed: every teacher query keeps its index, which is what the
 * teacher's assignment refers to.
 *
 * @param prefix       parameter-name prefix
 * @param parts        blocks per query
 * @param teacherWidth dq_T
 * @param studentWidth dq_S
 */
public record QueryAdapter(String prefix, int parts, int teacherWidth, int studentWidth) {

    /**
     * @throws IllegalArgumentException if a width is not a multiple of the variant's block count
     */
    public static QueryAdapter of(String prefix, Variant variant, int teacherWidth, int studentWidth) {
        int parts = parts(variant);
        if (teacherWidth % parts != 0 || studentWidth % parts != 0 || teacherWidth < parts) {
            throw new IllegalArgumentException(prefix + ": a " + variant + " query embedding is " + form(variant)
                    + ", so its width must be a multiple of " + parts + "; the teacher's is " + teacherWidth + ", the student's "
                    + studentWidth);
        }
        return new QueryAdapter(prefix, parts, teacherWidth, studentWidth);
    }

    /** Blocks of width d in a variant's query embedding. */
    public static int parts(Variant variant) {
        return variant == Variant.DEFORMABLE_DETR ? 2 : 1;
    }

    /** What a variant's query embedding holds, for messages. */
    public static String form(Variant variant) {
        return switch (variant) {
            case DEFORMABLE_DETR -> "[Q, 2d] = position ‖ content";
            case CONDITIONAL_DETR -> "[Q, d] positional queries";
            case ADAMIXER -> "[Q, d] content embedding (initial boxes: the whole image)";
        };
    }

    /** Whether the widths differ (then the adapter has parameters). */
    public boolean learned() { return teacherWidth != studentWidth; }

    /**
     * @param params    creates the adapter's parameters (when {@link #learned()})
     * @param teacherQ  {@code [Q_T, dq_T]}
     * @return {@code [Q_T, dq_S]} ({@code teacherQ} itself when the widths are equal)
     */
    public SDVariable apply(ParamFactory params, SDVariable teacherQ) {
        if (!learned()) return teacherQ;
        SameDiff sd = params.sd();
        long dt = teacherWidth / parts, ds = studentWidth / parts;
        List<SDVariable> out = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            SDVariable block = parts == 1 ? teacherQ : teacherQ.get(SDIndex.all(), SDIndex.interval(p * dt, (p + 1) * dt));
            out.add(Linear.apply(params, prefix + "." + p, block, dt, ds, true, Init.xavierUniform(), Init.zeros()));
        }
        return parts == 1 ? out.get(0) : sd.concat(1, out.toArray(new SDVariable[0]));
    }
}
