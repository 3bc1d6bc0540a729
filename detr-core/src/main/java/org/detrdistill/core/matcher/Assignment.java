package org.detrdistill.core.matcher;

import java.util.Arrays;

/**
 * A one-to-one assignment between the queries of one image and its targets (ground truth, or teacher boxes).
 * Pairs are sorted by query index, as {@code scipy.optimize.linear_sum_assignment} returns them.
 *
 * @param queryIndex  {@code [k]} matched query (prediction) indices, ascending
 * @param targetIndex {@code [k]} the target index matched to each query
 */
public record Assignment(int[] queryIndex, int[] targetIndex) {
    public Assignment {
        if (queryIndex.length != targetIndex.length) {
            throw new IllegalArgumentException("queryIndex and targetIndex differ in length: "
                    + queryIndex.length + " vs " + targetIndex.length);
        }
    }

    /** The assignment of an image without targets. */
    public static Assignment empty() { return new Assignment(new int[0], new int[0]); }

    /** Number of matched pairs. */
    public int size() { return queryIndex.length; }

    @Override public String toString() {
        return "Assignment" + Arrays.toString(queryIndex) + "->" + Arrays.toString(targetIndex);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Assignment a && Arrays.equals(queryIndex, a.queryIndex) && Arrays.equals(targetIndex, a.targetIndex);
    }

    @Override public int hashCode() { return 31 * Arrays.hashCode(queryIndex) + Arrays.hashCode(targetIndex); }
}
