package org.detrdistill.core.matcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** {@link LinearSumAssignment} against scipy's linear_sum_assignment (fixtures/hungarian) and brute force. */
class LinearSumAssignmentTest {
    private static final String[] CASES = {"dynrange_15x15", "empty_10x0", "inf_10x10", "inf_8x15", "offset_1e8_12x12",
            "rect_100x10_detrlike", "rect_20x7_uniform", "rect_300x50_uniform", "rect_7x20_uniform",
            "rect_900x300_normal", "single_row_1x6", "sq_5x5_uniform", "ties_const_6x9", "ties_int_12x30", "ties_int_8x8"};

    @Test
    void everyFixtureCaseIsListed() {
        File dir = Fixture.load("hungarian", CASES[0]).dir().getParent().toFile();
        Set<String> present = new TreeSet<>();
        for (File f : dir.listFiles()) if (f.isDirectory()) present.add(f.getName());
        assertEquals(new TreeSet<>(Arrays.asList(CASES)), present);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dynrange_15x15", "empty_10x0", "inf_10x10", "inf_8x15", "offset_1e8_12x12",
            "rect_100x10_detrlike", "rect_20x7_uniform", "rect_300x50_uniform", "rect_7x20_uniform",
            "rect_900x300_normal", "single_row_1x6", "sq_5x5_uniform", "ties_const_6x9", "ties_int_12x30", "ties_int_8x8"})
    void matchesScipy(String name) {
        Fixture f = Fixture.load("hungarian", name);
        INDArray cost = f.npy("cost");
        JsonNode exp = f.expected();
        int n = (int) cost.size(0), m = (int) cost.size(1);
        LsaSolution s = new LinearSumAssignment().solve(cost);

        assertEquals(exp.get("n_pairs").asInt(), s.size(), "pairs");
        assertValid(s, HostCost.of(cost), n, m);
        double expected = exp.get("total_cost").asDouble();
        assertEquals(expected, f.npy("total_cost").getDouble(0), 0, "manifest vs npy");
        assertEquals(expected, s.totalCost(), 1e-12 * Math.max(1, Math.abs(expected)), "total cost");
        if (!exp.get("alternative_optimum_exists").asBoolean()) {
            assertArrayEquals(FixtureArrays.ints(f, "row_ind"), s.rowIndex(), "row_ind");
            assertArrayEquals(FixtureArrays.ints(f, "col_ind"), s.colIndex(), "col_ind");
        }
    }

    @Test
    void matchesBruteForceOnSmallRandomProblemsBothOrientationsWithForbiddenPairs() {
        Random rnd = new Random(7);
        LinearSumAssignment solver = new LinearSumAssignment(); // reused across shapes on purpose
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rnd.nextInt(6), m = 1 + rnd.nextInt(6);
            double[] c = new double[n * m];
            for (int k = 0; k < c.length; k++) {
                c[k] = trial % 3 == 0 ? rnd.nextInt(4) : rnd.nextGaussian() * 10; // integer ties every third trial
                if (trial % 2 == 1 && rnd.nextDouble() < 0.3) c[k] = Double.POSITIVE_INFINITY;
            }
            double best = BruteForce.optimum(c, n, m);
            if (best == Double.POSITIVE_INFINITY) {
                assertThrows(IllegalArgumentException.class, () -> solver.solve(c, n, m), "trial " + trial);
                continue;
            }
            LsaSolution s = solver.solve(c, n, m);
            assertValid(s, c, n, m);
            assertEquals(best, s.totalCost(), 1e-9, "trial " + trial + " " + n + "x" + m);
            assertEquals(s, new LinearSumAssignment().solve(c, n, m), "fresh solver, same result");
        }
    }

    @Test
    void transposedProblemGivesTheMirroredSolution() {
        // rows > cols takes the lazily transposed path, cols > rows the direct one: both must agree
        Random rnd = new Random(11);
        LinearSumAssignment solver = new LinearSumAssignment();
        for (int trial = 0; trial < 20; trial++) {
            int n = 30 + rnd.nextInt(60), m = 5 + rnd.nextInt(25);
            double[] c = new double[n * m], t = new double[n * m];
            for (int k = 0; k < c.length; k++) {
                c[k] = rnd.nextDouble() < 0.2 ? Double.POSITIVE_INFINITY : rnd.nextDouble();
            }
            for (int r = 0; r < n; r++) for (int j = 0; j < m; j++) t[j * n + r] = c[r * m + j];
            LsaSolution tall = solver.solve(c, n, m), wide = solver.solve(t, m, n);
            assertValid(tall, c, n, m);
            assertValid(wide, t, m, n);
            assertEquals(wide.totalCost(), tall.totalCost(), 1e-12, "trial " + trial);
            for (int p = 0; p < m; p++) { // continuous random costs: the optimum is unique
                assertEquals(wide.row(p), tall.col(Arrays.binarySearch(tall.rowIndex(), wide.col(p))));
            }
        }
    }

    @Test
    void emptyProblems() {
        LinearSumAssignment solver = new LinearSumAssignment();
        for (int[] shape : new int[][]{{10, 0}, {0, 5}, {0, 0}}) {
            LsaSolution s = solver.solve(new double[0], shape[0], shape[1]);
            assertEquals(0, s.size());
            assertEquals(0.0, s.totalCost());
        }
        assertEquals(0, solver.solve(new double[0][0]).size());
        assertEquals(0, solver.solve(Nd4j.create(DataType.DOUBLE, 10, 0)).size());
    }

    @Test
    void handComputedRectangularCases() {
        // 3 rows x 2 cols: the best pair uses rows 0 and 2 ((0,1) 1 + (2,0) 2 = 3 < (1,0)+(0,1) = 4)
        LsaSolution s = new LinearSumAssignment().solve(new double[][]{{5, 1}, {3, 9}, {2, 8}});
        assertArrayEquals(new int[]{0, 2}, s.rowIndex());
        assertArrayEquals(new int[]{1, 0}, s.colIndex());
        assertEquals(3.0, s.totalCost());
        assertEquals(new Assignment(new int[]{0, 2}, new int[]{1, 0}), s.toAssignment());
        // its transpose: 2 rows x 3 cols
        s = new LinearSumAssignment().solve(Nd4j.create(new float[][]{{5, 3, 2}, {1, 9, 8}}));
        assertArrayEquals(new int[]{0, 1}, s.rowIndex());
        assertArrayEquals(new int[]{2, 0}, s.colIndex());
    }

    @Test
    void badInputIsRejectedClearly() {
        LinearSumAssignment solver = new LinearSumAssignment();
        double[] nan = {1, 2, 3, Double.NaN, 5, 6};
        var e = assertThrows(IllegalArgumentException.class, () -> solver.solve(nan, 2, 3));
        assertTrue(e.getMessage().contains("entry [1,0] is NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> solver.solve(nan, 3, 2)); // transposed path
        assertTrue(e.getMessage().contains("entry [1,1] is NaN"), e.getMessage());
        double[] negInf = {1, Double.NEGATIVE_INFINITY, 3, 4};
        e = assertThrows(IllegalArgumentException.class, () -> solver.solve(negInf, 2, 2));
        assertTrue(e.getMessage().contains("entry [0,1] is -Infinity"), e.getMessage());
        double inf = Double.POSITIVE_INFINITY;
        // both rows can only use column 0
        e = assertThrows(IllegalArgumentException.class, () -> solver.solve(new double[][]{{1, inf}, {2, inf}}));
        assertTrue(e.getMessage().contains("infeasible"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> solver.solve(new double[5], 2, 3));
        assertTrue(e.getMessage().contains("needs 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> solver.solve(new double[][]{{1, 2}, {3}}));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        // the solver stays usable after errors
        assertEquals(3.0, solver.solve(new double[][]{{1, inf}, {inf, 2}}).totalCost());
    }

    private static void assertValid(LsaSolution s, double[] c, int n, int m) {
        int[] r = s.rowIndex(), col = s.colIndex();
        assertEquals(Math.min(n, m), r.length);
        boolean[] usedCol = new boolean[m];
        double total = 0;
        for (int i = 0; i < r.length; i++) {
            if (i > 0) assertTrue(r[i] > r[i - 1], "rows strictly ascending");
            assertTrue(r[i] >= 0 && r[i] < n && col[i] >= 0 && col[i] < m, "index in range");
            assertFalse(usedCol[col[i]], "column used twice");
            usedCol[col[i]] = true;
            assertTrue(Double.isFinite(c[r[i] * m + col[i]]), "finite entry");
            total += c[r[i] * m + col[i]];
        }
        assertEquals(total, s.totalCost(), 1e-12 * Math.max(1, Math.abs(total)), "reported total");
    }

    /** Row-major doubles of an INDArray. */
    private static final class HostCost {
        static double[] of(INDArray a) { return org.detrdistill.core.box.HostArrays.toDoubles(a); }
    }

    /** Exhaustive minimum over all injective row->column maps (or column->row when n > m). */
    private static final class BruteForce {
        static double optimum(double[] c, int n, int m) {
            return n <= m ? search(c, n, m, 0, new boolean[m], false) : search(c, m, n, 0, new boolean[n], true);
        }

        private static double search(double[] c, int k, int width, int i, boolean[] used, boolean transposed) {
            if (i == k) return 0;
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < width; j++) {
                if (used[j]) continue;
                double x = transposed ? c[j * k + i] : c[i * width + j];
                if (x == Double.POSITIVE_INFINITY) continue;
                used[j] = true;
                best = Math.min(best, x + search(c, k, width, i + 1, used, transposed));
                used[j] = false;
            }
            return best;
        }
    }
}
