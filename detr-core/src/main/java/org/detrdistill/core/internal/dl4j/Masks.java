package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Differentiable selection by a mask.
 *
 * <p><b>Defect (nd4j-api 1.0.0-M2.1):</b> {@code sd.where(x, y, condition)} has no gradient: building the gradient
 * graph throws {@code UnsupportedOperationException: Please extend DynamicCustomOp.doDiff} (see {@code MasksTest}).
 *
 * <p><b>Workaround:</b> {@code m·x + (1 − m)·y} with {@code m} the condition cast to the floating type. Unlike
 * {@code where}, a non-finite value in the unselected branch poisons the result ({@code 0·inf = NaN}): keep both
 * branches finite.
 */
public final class Masks {
    private Masks() {
    }

    /**
     * {@code condition ? x : y}, elementwise, with gradients to {@code x} and {@code y} (none to the condition).
     *
     * @param condition boolean or numeric 0/1 mask, broadcastable to {@code x} and {@code y}
     * @param x         values where the condition holds
     * @param y         values elsewhere; same data type as {@code x}
     */
    public static SDVariable select(SameDiff sd, SDVariable condition, SDVariable x, SDVariable y) {
        SDVariable m = condition.castTo(x.dataType());
        return m.mul(x).add(m.rsub(1.0).mul(y));
    }

    /** The mask cast to {@code like}'s floating data type: 1 where {@code condition} holds, else 0. */
    public static SDVariable asFloat(SDVariable condition, SDVariable like) {
        return condition.castTo(like.dataType());
    }
}
