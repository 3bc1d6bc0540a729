package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Elementwise maximum and minimum whose gradients are right under two-sided broadcasting.
 *
 * <p><b>Defect (nd4j-api 1.0.0-M2.1):</b> {@code sd.math.max(a, b)} / {@code sd.math.min(a, b)} with a broadcast on
 * both sides (e.g. {@code [3,1,4]} vs {@code [1,5,4]}) compute the right forward value but a wrong gradient, without
 * an error (measured on a random case, see {@code BroadcastSafeTest}: max's gradient w.r.t. {@code b} off by 0.73;
 * min's gradient w.r.t. {@code a} comes back with the broadcast shape {@code [3,5,4]} instead of {@code [3,1,4]}).
 * Pairwise box IoU/GIoU hits exactly this pattern.
 *
 * <p><b>Workaround:</b> expand both operands to the full broadcast shape first ({@code a + zerosLike(b)},
 * {@code b + zerosLike(a)}: two-sided broadcasting {@code add} has a correct gradient), then apply the same-shape op.
 * Shapes may be dynamic.
 */
public final class BroadcastSafe {
    private BroadcastSafe() {
    }

    /**
     * Expands {@code a} to the broadcast shape of {@code a} and {@code b} (a tile with a correct gradient).
     *
     * @return {@code a} broadcast to {@code broadcast(shape(a), shape(b))}
     */
    public static SDVariable expand(SameDiff sd, SDVariable a, SDVariable b) {
        return a.add(sd.zerosLike(b));
    }

    /**
     * Elementwise {@code max(a, b)} under any broadcast, same data type as the inputs. Where {@code a == b}
     * exactly, the gradient goes to one side, as in the stock op.
     */
    public static SDVariable max(SameDiff sd, SDVariable a, SDVariable b) {
        return sd.math.max(expand(sd, a, b), expand(sd, b, a));
    }

    /** Elementwise {@code min(a, b)} under any broadcast; see {@link #max}. */
    public static SDVariable min(SameDiff sd, SDVariable a, SDVariable b) {
        return sd.math.min(expand(sd, a, b), expand(sd, b, a));
    }
}
