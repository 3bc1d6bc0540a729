package org.detrdistill.core.position;

/**
 * The sine-embedding frequency table of the DETR family: {@code dim_t[k] = T^(2·floor(k/2)/n)}, {@code k = 0..n−1}.
 *
 * <p>Every reference (DETR/Conditional/Deformable {@code PositionEmbeddingSine}, Conditional DETR
 * {@code gen_sineembed_for_position}, Deformable two-stage {@code get_proposal_pos_embed}, AdaMixer
 * {@code position_embedding}) builds it with {@code torch.arange(n, dtype=torch.float32)}, so it is float32 even
 * when the rest runs in float64. Its values equal the float64 ones rounded to float32; with them the float64
 * reference outputs are reproduced to ~1e-16, with a float64 table they differ by ~2e-7.
 */
public final class FrequencyTable {
    private FrequencyTable() {}

    /**
     * @param n           number of features per coordinate (even, ≥ 2)
     * @param temperature T (10000 in every reference)
     * @return {@code [n]} values {@code (double)(float) T^(2·floor(k/2)/n)}
     */
    public static double[] float32(int n, double temperature) {
        if (n < 2 || n % 2 != 0) throw new IllegalArgumentException("number of features must be even and >= 2, got " + n);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        double[] t = new double[n];
        for (int k = 0; k < n; k++) t[k] = (float) Math.pow(temperature, 2.0 * (k / 2) / n);
        return t;
    }
}
