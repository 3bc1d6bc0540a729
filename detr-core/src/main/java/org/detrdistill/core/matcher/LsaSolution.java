package org.detrdistill.core.matcher;

import java.util.Arrays;

/**
 * The optimum of a linear sum assignment problem on an {@code [n,m]} cost matrix, in the format of
 * {@code scipy.optimize.linear_sum_assignment}: {@code k = min(n, m)} pairs {@code (rowIndex[i], colIndex[i])},
 * rows ascending. Immutable: the accessors return copies.
 *
 * @param rowIndex  {@code [k]} row indices, strictly ascending
 * @param colIndex  {@code [k]} the column assigned to each row
 * @param totalCost sum of {@code cost[rowIndex[i], colIndex[i]]} (0 for an empty problem)
 */
public record LsaSolution(int[] rowIndex, int[] colIndex, double totalCost) {
    public LsaSolution {
        if (rowIndex.length != colIndex.length) {
            throw new IllegalArgumentException("rowIndex and colIndex differ in length: "
                    + rowIndex.length + " vs " + colIndex.length);
        }
        rowIndex = rowIndex.clone();
        colIndex = colIndex.clone();
    }

    /** {@code [k]} row indices, ascending (a copy). */
    @Override public int[] rowIndex() { return rowIndex.clone(); }

    /** {@code [k]} column indices paired with {@link #rowIndex()} (a copy). */
    @Override public int[] colIndex() { return colIndex.clone(); }

    /** Number of assigned pairs, {@code min(n, m)}. */
    public int size() { return rowIndex.length; }

    /** Row of pair {@code i}. */
    public int row(int i) { return rowIndex[i]; }

    /** Column of pair {@code i}. */
    public int col(int i) { return colIndex[i]; }

    /** Rows as queries, columns as targets: the matcher's view of a {@code [Q, n]} cost matrix. */
    public Assignment toAssignment() { return new Assignment(rowIndex.clone(), colIndex.clone()); }

    @Override public boolean equals(Object o) {
        return o instanceof LsaSolution s && Arrays.equals(rowIndex, s.rowIndex) && Arrays.equals(colIndex, s.colIndex)
                && Double.compare(totalCost, s.totalCost) == 0;
    }

    @Override public int hashCode() {
        return 31 * (31 * Arrays.hashCode(rowIndex) + Arrays.hashCode(colIndex)) + Double.hashCode(totalCost);
    }

    @Override public String toString() {
        return "LsaSolution" + Arrays.toString(rowIndex) + "->" + Arrays.toString(colIndex) + " cost " + totalCost;
    }
}
