package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dynamic shapes in SameDiff graphs. Detector graphs take any batch size and any (padded) image size, so batch and
 * sequence lengths are only known at run time: they are read from the tensors once ({@link #size}) and combined with
 * static sizes into shape tensors ({@link #of}).
 */
public final class Shapes {
    private Shapes() {}

    /** Dimension {@code axis} of {@code x} as a LONG tensor of shape {@code [1]} (size_at is LONG already: 2 ops). */
    public static SDVariable size(SameDiff sd, SDVariable x, int axis) {
        return sd.reshape(sd.sizeAt(x, axis), 1);
    }

    /**
     * The leading dimensions {@code shape(x)[0:end]} as a LONG tensor {@code [end]} (2 ops: shape_of, strided_slice);
     * a negative {@code end} counts from the back, as in Python ({@code -1}: every dimension but the last).
     */
    public static SDVariable leading(SameDiff sd, SDVariable x, int end) {
        return sd.stridedSlice(sd.shape(x), new long[]{0}, new long[]{end}, new long[]{1});
    }

    /**
     * The shape {@code shape(x)[0:end] ++ trailing}: the leading dimensions of {@code x} (see {@link #leading})
     * followed by static sizes, e.g. {@code [B, L, E] -> [B, L, heads, E/heads]} with {@code end = 2}. 3 ops,
     * whatever the number of dynamic dimensions (reading each with {@link #size} and joining with {@link #of} costs
     * 3 per dimension plus 1).
     */
    public static SDVariable leadingThen(SameDiff sd, SDVariable x, int end, long... trailing) {
        return sd.concat(0, leading(sd, x, end), sd.constant(Nd4j.createFromArray(trailing)));
    }

    /**
     * A shape tensor from a mix of static sizes ({@link Number}) and dynamic sizes ({@link SDVariable} of shape [1]
     * or scalar, integer typed), e.g. {@code Shapes.of(sd, batch, queries, 8L, 32L)}.
     */
    public static SDVariable of(SameDiff sd, Object... dims) {
        SDVariable[] parts = new SDVariable[dims.length];
        for (int i = 0; i < dims.length; i++) {
            Object d = dims[i];
            if (d instanceof Number n) {
                parts[i] = sd.constant(Nd4j.createFromArray(n.longValue()));
            } else if (d instanceof SDVariable v) {
                parts[i] = sd.reshape(v.dataType() == DataType.LONG ? v : v.castTo(DataType.LONG), 1);
            } else {
                throw new IllegalArgumentException("shape dimension " + i + " must be a Number or an SDVariable, got " + d);
            }
        }
        return parts.length == 1 ? parts[0] : sd.concat(0, parts);
    }

    /** {@code x} reshaped to {@code dims} (static {@link Number}s and dynamic {@link SDVariable} sizes). */
    public static SDVariable reshape(SameDiff sd, SDVariable x, Object... dims) {
        return sd.reshape(x, of(sd, dims));
    }

    /** {@code x} reshaped to {@code [prod(shape[:-1]), last]}: the 2-D view used for matrix products. */
    public static SDVariable flatten2d(SameDiff sd, SDVariable x, long last) {
        return sd.reshape(x, -1, last);
    }

    /**
     * Reshapes the 2-D {@code y [N, last]} back to the leading shape of {@code like} (all but its last axis) followed
     * by {@code last}: the inverse of {@link #flatten2d} after a product changed the last width. Works for any rank
     * of {@code like}, known or not (SameDiff does not know the static shape of op outputs).
     */
    public static SDVariable unflatten(SameDiff sd, SDVariable y, SDVariable like, long last) {
        return sd.reshape(y, leadingThen(sd, like, -1, last));
    }
}
