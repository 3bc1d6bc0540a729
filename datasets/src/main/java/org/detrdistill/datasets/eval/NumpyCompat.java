package org.detrdistill.datasets.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The few NumPy/Python numeric conventions whose last bits show in pycocotools' outputs, reproduced exactly:
 * {@code linspace}, {@code mean} of a float64 vector, {@code np.spacing(1)} and Python's {@code '{:0.3f}'} formatting.
 */
final class NumpyCompat {
    /** {@code np.spacing(1)} = 2^-52, the epsilon pycocotools adds to precision denominators. */
    static final double SPACING_1 = Math.ulp(1.0);

    /** NumPy's pairwise-summation block (PW_BLOCKSIZE). */
    private static final int PAIRWISE_BLOCK = 128;
    /**
     * NumPy 1.x reduces a long contiguous vector in chunks of the ufunc buffer size (8192 elements), summing each
     * chunk pairwise and the chunk sums sequentially. The fixtures were produced this way (NumPy 1.24); NumPy 2.x sums
     * the whole vector pairwise, which can differ in the last bit for more than 8192 values.
     */
    private static final int REDUCE_CHUNK = 8192;

    private NumpyCompat() {}

    /**
     * {@code np.linspace(start, stop, num)} (endpoint included): {@code i * step + start} with
     * {@code step = (stop - start) / (num - 1)}, the last value set to {@code stop}; e.g. the 9th of
     * {@code linspace(.5, .95, 10)} is 0.8999999999999999.
     */
    static double[] linspace(double start, double stop, int num) {
        if (num < 0) throw new IllegalArgumentException("num must be >= 0, got " + num);
        double[] y = new double[num];
        if (num == 0) return y;
        if (num == 1) {
            y[0] = start;
            return y;
        }
        int div = num - 1;
        double delta = stop - start;
        double step = delta / div;
        for (int i = 0; i < num; i++) {
            y[i] = step == 0 ? (i / (double) div) * delta + start : i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** {@code np.mean(v[0:n])} for a float64 vector, summed as NumPy 1.24 does (see {@link #REDUCE_CHUNK}). */
    static double mean(double[] v, int n) {
        double sum = 0.0;
        for (int lo = 0; lo < n; lo += REDUCE_CHUNK) {
            sum += pairwiseSum(v, lo, Math.min(REDUCE_CHUNK, n - lo));
        }
        return sum / n;
    }

    /** NumPy's pairwise summation of {@code v[lo, lo+n)}: 8 accumulators per block of up to 128, halves above. */
    static double pairwiseSum(double[] v, int lo, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) res += v[lo + i];
            return res;
        } else if (n <= PAIRWISE_BLOCK) {
            double r0 = v[lo], r1 = v[lo + 1], r2 = v[lo + 2], r3 = v[lo + 3];
            double r4 = v[lo + 4], r5 = v[lo + 5], r6 = v[lo + 6], r7 = v[lo + 7];
            int i = 8;
            int end = n - (n % 8);
            for (; i < end; i += 8) {
                r0 += v[lo + i];
                r1 += v[lo + i + 1];
                r2 += v[lo + i + 2];
                r3 += v[lo + i + 3];
                r4 += v[lo + i + 4];
                r5 += v[lo + i + 5];
                r6 += v[lo + i + 6];
                r7 += v[lo + i + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += v[lo + i];
            return res;
        } else {
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwiseSum(v, lo, n2) + pairwiseSum(v, lo + n2, n - n2);
        }
    }

    /**
     * Python's {@code format(value, '0.Nf')}: the exact binary value rounded half-even to {@code decimals} places
     * (Java's {@code %.3f} rounds the shortest decimal representation half-up instead, which differs on ties).
     */
    static String fixed(double value, int decimals) {
        if (!Double.isFinite(value)) return Double.isNaN(value) ? "nan" : (value > 0 ? "inf" : "-inf");
        String s = new BigDecimal(value).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        if (value < 0 || (value == 0 && 1 / value < 0)) {
            if (!s.startsWith("-")) s = "-" + s; // Python keeps the sign of -0.0 and of values rounding to 0
        }
        return s;
    }
}
