package org.detrdistill.core.matcher;

import org.detrdistill.core.box.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Exact solver of the rectangular linear sum assignment problem (minimisation), the Java counterpart of
 * {@code scipy.optimize.linear_sum_assignment}.
 *
 * <p>Algorithm: shortest augmenting paths with dual variables (Jonker-Volgenant style, as described by
 * D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE TAES 2016). The problem is oriented so
 * that it has no more rows than columns (a taller matrix is solved on its transpose). Initialisation: every row's
 * dual is its row minimum and the row takes its cheapest column when that column is still free (a dual-feasible
 * partial assignment, columns' duals 0). Each remaining free row is then assigned by a Dijkstra search over reduced
 * costs {@code c[i,j] - u[i] - v[j]} for the cheapest augmenting path to a free column, followed by the dual update
 * that keeps reduced costs non-negative and assigned pairs at zero. Worst case O(k^2 * max(n, m)) for
 * {@code k = min(n, m)}; on dense random costs most rows are settled by the initialisation.
 *
 * <p>The transpose is never materialised in full: the initialisation reads the matrix once in row-major order and
 * only the rows a Dijkstra search visits are gathered into a row-major buffer.
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

    /** Row-major rows of the transposed problem, gathered on first use ({@link #rowReady}). */
    private double[] rowBuf = new double[0];
    private boolean[] rowReady = new boolean[0];
    private double[] u = new double[0];
    private double[] v = new double[0];
    private double[] shortest = new double[0];
    private double[] colMin = new double[0];
    private int[] colArg = new int[0];
    private int[] path = new int[0];
    private int[] col4row = new int[0];
    private int[] row4col = new int[0];
    private int[] scanned = new int[0];
    private double[] scannedDist = new double[0];
    private int[] freeRows = new int[0];

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
        ensureCapacity(nr, nc, transpose);
        Arrays.fill(v, 0, nc, 0.0);
        Arrays.fill(col4row, 0, nr, -1);
        Arrays.fill(row4col, 0, nc, -1);
        int numFree = transpose ? initTransposed(cost, rows, cols) : initDirect(cost, rows, cols);
        for (int f = 0; f < numFree; f++) {
            if (augment(cost, transpose, nr, nc, freeRows[f]) < 0) {
                throw new IllegalArgumentException("cost matrix [" + rows + "," + cols + "] is infeasible: no "
                        + "assignment of all " + nr + (transpose ? " columns" : " rows") + " avoids +inf entries");
            }
        }
        return result(cost, rows, cols, transpose);
    }

    /** Greedy dual initialisation, rows along memory ({@code rows <= cols}); checks every entry. */
    private int initDirect(double[] cost, int rows, int cols) {
        int numFree = 0;
        for (int i = 0; i < rows; i++) {
            int off = i * cols, arg = -1;
            double min = INF;
            for (int j = 0; j < cols; j++) {
                double x = cost[off + j];
                if (x < min) {
                    min = x;
                    arg = j;
                } else if (!(x > Double.NEGATIVE_INFINITY)) {
                    throw invalidEntry(x, i, j, rows, cols);
                }
            }
            if (min == Double.NEGATIVE_INFINITY) throw invalidEntry(min, i, arg, rows, cols);
            numFree = settle(i, min, arg, rows, cols, numFree);
        }
        return numFree;
    }

    /**
     * Greedy dual initialisation of the transposed problem ({@code rows > cols}): its row {@code i} is column
     * {@code i} of {@code cost}, so column minima are taken in one row-major pass; checks every entry.
     */
    private int initTransposed(double[] cost, int rows, int cols) {
        double[] colMin = this.colMin;
        int[] colArg = this.colArg;
        Arrays.fill(colMin, 0, cols, INF);
        Arrays.fill(colArg, 0, cols, -1);
        Arrays.fill(rowReady, 0, cols, false);
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            for (int j = 0; j < cols; j++) {
                double x = cost[off + j];
                if (x < colMin[j]) {
                    colMin[j] = x;
                    colArg[j] = r;
                } else if (!(x > Double.NEGATIVE_INFINITY)) {
                    throw invalidEntry(x, r, j, rows, cols);
                }
            }
        }
        int numFree = 0;
        for (int i = 0; i < cols; i++) {
            if (colMin[i] == Double.NEGATIVE_INFINITY) throw invalidEntry(colMin[i], colArg[i], i, rows, cols);
            numFree = settle(i, colMin[i], colArg[i], rows, cols, numFree);
        }
        return numFree;
    }

    /** Sets row {@code i}'s dual to its minimum and assigns it to column {@code arg} if free, else queues it. */
    private int settle(int i, double min, int arg, int rows, int cols, int numFree) {
        if (min == INF) {
            throw new IllegalArgumentException("cost matrix [" + rows + "," + cols + "] is infeasible: "
                    + (rows > cols ? "column " : "row ") + i + " has only +inf entries");
        }
        u[i] = min;
        if (row4col[arg] < 0) {
            row4col[arg] = i;
            col4row[i] = arg;
            return numFree;
        }
        freeRows[numFree] = i;
        return numFree + 1;
    }

    /** Row {@code i} of the problem being solved, at offset {@code i*nc} of the returned array. */
    private double[] row(double[] cost, boolean transpose, int i, int nr, int nc) {
        if (!transpose) return cost;
        if (!rowReady[i]) {
            double[] buf = rowBuf;
            for (int j = 0, off = i * nc, k = i; j < nc; j++, k += nr) buf[off + j] = cost[k];
            rowReady[i] = true;
        }
        return rowBuf;
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
     * <p>A scanned column's distance is final; it is moved to {@link #scannedDist} and its slot in
     * {@link #shortest} set to NaN, which every comparison in the scan loop treats as "skip". The loop therefore
     * runs over all columns in memory order without an index list.
     *
     * @return the free column reached (the sink), or -1 when every unscanned column is at infinite distance
     */
    private int augment(double[] cost, boolean transpose, int nr, int nc, int start) {
        final double[] u = this.u, v = this.v, shortest = this.shortest, scannedDist = this.scannedDist;
        final int[] path = this.path, row4col = this.row4col, scanned = this.scanned;
        Arrays.fill(shortest, 0, nc, INF);
        int numScanned = 0;
        double minVal = 0;
        int i = start, sink = -1;
        while (sink < 0) {
            int index = -1;
            double lowest = INF;
            double base = minVal - u[i];
            int off = i * nc;
            double[] c = row(cost, transpose, i, nr, nc);
            for (int j = 0; j < nc; j++) {
                double r = base + c[off + j] - v[j];
                double s = shortest[j];
                if (r < s) { // false for scanned columns (NaN)
                    path[j] = i;
                    shortest[j] = r;
                    s = r;
                }
                if (s < lowest || (s == lowest && row4col[j] < 0)) {
                    lowest = s;
                    index = j;
                }
            }
            minVal = lowest;
            if (minVal == INF) return -1;
            scanned[numScanned] = index;
            scannedDist[numScanned++] = minVal;
            shortest[index] = Double.NaN;
            if (row4col[index] < 0) sink = index;
            else i = row4col[index];
        }
        // Dual update. Each scanned non-sink column was left through the row assigned to it, so those rows plus
        // the start row are exactly the rows the search visited. (The sink's delta is 0.)
        u[start] += minVal;
        for (int t = 0; t < numScanned; t++) {
            int j = scanned[t];
            double delta = minVal - scannedDist[t];
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

    private void ensureCapacity(int nr, int nc, boolean transpose) {
        if (u.length < nr) {
            u = new double[nr];
            col4row = new int[nr];
            freeRows = new int[nr];
            rowReady = new boolean[nr];
            colMin = new double[nr];
            colArg = new int[nr];
        }
        if (transpose && rowBuf.length < nr * nc) rowBuf = new double[nr * nc];
        if (v.length < nc) {
            v = new double[nc];
            shortest = new double[nc];
            path = new int[nc];
            row4col = new int[nc];
            scanned = new int[nc];
            scannedDist = new double[nc];
        }
    }

    private static IllegalArgumentException invalidEntry(double x, int r, int c, int rows, int cols) {
        return new IllegalArgumentException("cost matrix [" + rows + "," + cols + "] entry [" + r + "," + c + "] is "
                + x + ": entries must be finite or +inf (forbidden pair)");
    }
}
