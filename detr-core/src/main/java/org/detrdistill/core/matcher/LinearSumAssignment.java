package org.detrdistill.core.matcher;

import org.detrdistill.core.box.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Exact solver of the rectangular linear sum assignment problem (minimisation), the Java counterpart of
 * {@code scipy.optimize.linear_sum_assignment}.
 *
 * <p>Algorithm: shortest augmenting paths with dual variables (Jonker-Volgenant style, as described by
 * D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE TAES 2016). Rows are assigned one at a
 * time; for each, a Dijkstra search over reduced costs {@code c[i,j] - u[i] - v[j]} finds the cheapest augmenting
 * path to a free column, then the duals are updated so that reduced costs stay non-negative. A problem with more
 * rows than columns is solved on its transpose. Cost O(k^2 * max(n, m)) for {@code k = min(n, m)}.
 *
 * <p>Input: a cost matrix {@code [n,m]}, row-major. {@code +inf} marks a forbidden pair. The result assigns
 * {@code min(n, m)} pairs, rows ascending; its total cost equals the optimum up to rounding. When the optimum is
 * not unique, which of the optimal assignments is returned may differ from SciPy.
 *
 * <p>Errors: NaN or {@code -inf} entries are rejected naming the entry; a problem where every complete assignment
 * uses a {@code +inf} entry is rejected as infeasible.
 *
 * <p>An instance keeps its work buffers between calls (no allocation beyond the result once they are large
 * enough), so reuse one per thread; instances are not thread-safe.
 */
public final class LinearSumAssignment {
    private static final double INF = Double.POSITIVE_INFINITY;

    private double[] transposed = new double[0];
    private double[] u = new double[0];
    private double[] v = new double[0];
    private double[] shortest = new double[0];
    private int[] path = new int[0];
    private int[] col4row = new int[0];
    private int[] row4col = new int[0];
    private int[] remaining = new int[0];

    /** A solver with empty work buffers; they grow on demand. */
    public LinearSumAssignment() {}

    /**
     * Solves the problem on a row-major cost matrix.
     *
     * @param cost {@code [rows*cols]}, entry {@code (r, c)} at {@code r*cols + c}; finite or {@code +inf}
     * @param rows number of rows {@code n >= 0}
     * @param cols number of columns {@code m >= 0}
     * @return {@code min(n, m)} pairs, rows ascending, and their total cost
     * @throws IllegalArgumentException on a NaN or {@code -inf} entry (named by row and column), a wrong length,
     *                                  or when no complete assignment with finite cost exists
     */
    public LsaSolution solve(double[] cost, int rows, int cols) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape [" + rows + "," + cols + "]");
        if ((long) rows * cols != cost.length) {
            throw new IllegalArgumentException("cost has " + cost.length + " entries, shape [" + rows + "," + cols
                    + "] needs " + (long) rows * cols);
        }
        if (rows == 0 || cols == 0) return new LsaSolution(new int[0], new int[0], 0.0);
        boolean transpose = rows > cols;
        int nr = transpose ? cols : rows, nc = transpose ? rows : cols;
        double[] c;
        if (transpose) {
            if (transposed.length < cost.length) transposed = new double[cost.length];
            c = transposed;
            for (int r = 0, k = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++, k++) {
                    double x = cost[k];
                    if (!(x > Double.NEGATIVE_INFINITY)) throw invalidEntry(x, r, j, rows, cols);
                    c[j * rows + r] = x;
                }
            }
        } else {
            c = cost;
            for (int k = 0; k < cost.length; k++) {
                if (!(cost[k] > Double.NEGATIVE_INFINITY)) throw invalidEntry(cost[k], k / cols, k % cols, rows, cols);
            }
        }
        ensureCapacity(nr, nc);
        Arrays.fill(u, 0, nr, 0.0);
        Arrays.fill(v, 0, nc, 0.0);
        Arrays.fill(col4row, 0, nr, -1);
        Arrays.fill(row4col, 0, nc, -1);
        for (int row = 0; row < nr; row++) {
            if (augment(c, nr, nc, row) < 0) {
                throw new IllegalArgumentException("cost matrix [" + rows + "," + cols + "] is infeasible: no "
                        + "assignment of all " + nr + (transpose ? " columns" : " rows") + " avoids +inf entries");
            }
        }
        return result(cost, rows, cols, transpose);
    }

    /**
     * Solves the problem on a rectangular {@code double[n][m]} cost matrix.
     *
     * @see #solve(double[], int, int)
     */
    public LsaSolution solve(double[][] cost) {
        int n = cost.length, m = n == 0 ? 0 : cost[0].length;
        double[] flat = new double[n * m];
        for (int r = 0; r < n; r++) {
            if (cost[r].length != m) {
                throw new IllegalArgumentException("cost row " + r + " has " + cost[r].length + " entries, row 0 has " + m);
            }
            System.arraycopy(cost[r], 0, flat, r * m, m);
        }
        return solve(flat, n, m);
    }

    /**
     * Solves the problem on a cost matrix {@code [n,m]} (any floating type; computed in double).
     *
     * @see #solve(double[], int, int)
     */
    public LsaSolution solve(INDArray cost) {
        HostArrays.requireShape("cost", cost, -1, -1);
        return solve(HostArrays.toDoubles(cost), (int) cost.size(0), (int) cost.size(1));
    }

    /**
     * One Dijkstra search from the free row {@code start} over reduced costs, then the dual update and the
     * augmentation along the path found.
     *
     * @return the free column reached (the sink), or -1 when every remaining column is at infinite distance
     */
    private int augment(double[] c, int nr, int nc, int start) {
        final double[] u = this.u, v = this.v, shortest = this.shortest;
        final int[] path = this.path, row4col = this.row4col, remaining = this.remaining;
        for (int j = 0; j < nc; j++) remaining[j] = j;
        Arrays.fill(shortest, 0, nc, INF);
        int numRemaining = nc;
        double minVal = 0;
        int i = start, sink = -1;
        while (sink < 0) {
            int index = -1;
            double lowest = INF;
            double base = minVal - u[i];
            int off = i * nc;
            for (int it = 0; it < numRemaining; it++) {
                int j = remaining[it];
                double r = base + c[off + j] - v[j];
                double s = shortest[j];
                if (r < s) {
                    path[j] = i;
                    shortest[j] = r;
                    s = r;
                }
                if (s < lowest || (s == lowest && row4col[j] < 0)) {
                    lowest = s;
                    index = it;
                }
            }
            minVal = lowest;
            if (minVal == INF) return -1;
            int j = remaining[index];
            if (row4col[j] < 0) sink = j;
            else i = row4col[j];
            // move the scanned column behind the unscanned ones (swap, so the scanned set stays readable)
            remaining[index] = remaining[--numRemaining];
            remaining[numRemaining] = j;
        }
        // Dual update. The scanned columns are remaining[numRemaining..nc); each non-sink one was left through the
        // row assigned to it, so those rows plus the start row are exactly the rows the search visited.
        u[start] += minVal;
        for (int t = numRemaining; t < nc; t++) {
            int j = remaining[t];
            double delta = minVal - shortest[j];
            if (j != sink) u[row4col[j]] += delta;
            v[j] -= delta;
        }
        // Augment: flip the assignment along the alternating path back from the sink.
        int j = sink;
        while (true) {
            int r = path[j];
            row4col[j] = r;
            int previous = col4row[r];
            col4row[r] = j;
            if (r == start) break;
            j = previous;
        }
        return sink;
    }

    private LsaSolution result(double[] cost, int rows, int cols, boolean transpose) {
        int k = Math.min(rows, cols);
        int[] ri = new int[k], ci = new int[k];
        double total = 0;
        if (!transpose) {
            for (int r = 0; r < k; r++) {
                ri[r] = r;
                ci[r] = col4row[r];
                total += cost[r * cols + ci[r]];
            }
        } else {
            // Solved on the transpose: its columns are our rows; sweep them in ascending order.
            int p = 0;
            for (int r = 0; r < rows; r++) {
                int col = row4col[r];
                if (col >= 0) {
                    ri[p] = r;
                    ci[p] = col;
                    total += cost[r * cols + col];
                    p++;
                }
            }
        }
        return new LsaSolution(ri, ci, total);
    }

    private void ensureCapacity(int nr, int nc) {
        if (u.length < nr) {
            u = new double[nr];
            col4row = new int[nr];
        }
        if (v.length < nc) {
            v = new double[nc];
            shortest = new double[nc];
            path = new int[nc];
            row4col = new int[nc];
            remaining = new int[nc];
        }
    }

    private static IllegalArgumentException invalidEntry(double x, int r, int c, int rows, int cols) {
        return new IllegalArgumentException("cost matrix [" + rows + "," + cols + "] entry [" + r + "," + c + "] is "
                + x + ": entries must be finite or +inf (forbidden pair)");
    }
}
