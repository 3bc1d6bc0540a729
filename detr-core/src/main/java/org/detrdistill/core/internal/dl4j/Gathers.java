package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;

/**
 * Row gathers with a correct gradient. Use these instead of {@code sd.gather(...)} (wrong gradient, see
 * {@link FixedGather}) and instead of {@code sd.gatherNd(...)} (no gradient: flatten to {@code [B·N, C]} and gather
 * rows at {@code b·N + i}).
 */
public final class Gathers {
    private Gathers() {
    }

    /**
     * Gathers rows: {@code out[m, :] = x[idx[m], :]}. The gradient w.r.t. {@code x} accumulates over repeated
     * indices (segment sum); {@code idx} gets none.
     *
     * <p>Uses {@link FixedGather} (installing it with {@link Dl4jFixes#install()} if needed). Should the op registry
     * ever refuse the replacement, it falls back to {@code oneHot(idx, N) · x}, which is exact but costs
     * {@code O(M·N·C)} and needs {@code N} known when the graph is built.
     *
     * @param sd  the graph
     * @param x   {@code [N, C]} floating point
     * @param idx {@code [M]} integer (INT32 or INT64), values in {@code [0, N)}; M may vary between runs
     * @return {@code [M, C]}, same data type as {@code x}
     * @throws IllegalArgumentException if {@code x} is not rank 2, {@code idx} is not an integer vector
     */
    public static SDVariable rows(SameDiff sd, SDVariable x, SDVariable idx) {
        return rows(sd, null, x, idx);
    }

    /**
     * As {@link #rows(SameDiff, SDVariable, SDVariable)}, naming the output variable.
     *
     * @param name output variable name, or null for a generated one
     */
    public static SDVariable rows(SameDiff sd, String name, SDVariable x, SDVariable idx) {
        long[] xs = x.getShape();
        if (xs != null && xs.length != 2) {
            throw new IllegalArgumentException("Gathers.rows: x '" + x.name() + "' must be [N,C], got "
                    + Arrays.toString(xs));
        }
        long[] is = idx.getShape();
        if (is != null && is.length != 1) {
            throw new IllegalArgumentException("Gathers.rows: idx '" + idx.name() + "' must be [M], got "
                    + Arrays.toString(is));
        }
        if (!idx.dataType().isIntType()) {
            throw new IllegalArgumentException("Gathers.rows: idx '" + idx.name() + "' must be an integer type, got "
                    + idx.dataType());
        }
        SDVariable out;
        if (Dl4jFixes.install()) {
            out = new FixedGather(sd, x, idx, 0).outputVariable();
        } else {
            if (xs == null || xs[0] < 0) {
                throw new IllegalStateException("Gathers.rows: the gather fix could not be installed and the oneHot "
                        + "fallback needs a static row count; x '" + x.name() + "' has shape " + Arrays.toString(xs));
            }
            SDVariable oneHot = sd.oneHot(idx, (int) xs[0], -1, 1.0, 0.0, x.dataType());
            out = oneHot.mmul(x);
        }
        return name == null ? out : sd.updateVariableNameAndReference(out, name);
    }

    /**
     * Gathers one row per index from a batched tensor: {@code out[m, :] = x[flatIdx[m] / N, flatIdx[m] % N, :]}.
     *
     * @param sd      the graph
     * @param x       {@code [B, N, C]} floating point
     * @param flatIdx {@code [M]} integer, flat indices {@code b·N + n}
     * @param c       the size of the last axis of {@code x} (static)
     * @return {@code [M, C]}
     */
    public static SDVariable batchedRows(SameDiff sd, SDVariable x, SDVariable flatIdx, long c) {
        SDVariable flat = sd.reshape(x, -1, c);
        return rows(sd, flat, flatIdx);
    }
}
