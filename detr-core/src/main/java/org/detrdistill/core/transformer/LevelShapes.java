package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The spatial layout of a multi-level feature pyramid flattened into one sequence, as Deformable DETR passes it:
 * {@code spatial_shapes [L,2]} = (H_l, W_l) and {@code level_start_index [L]}. Level {@code l} occupies sequence
 * positions {@code start(l) .. start(l) + H_l*W_l - 1}, row-major (y then x); {@code S = Σ_l H_l*W_l}.
 *
 * @param heights {@code [L]} H_l, each ≥ 1
 * @param widths  {@code [L]} W_l, each ≥ 1
 */
public record LevelShapes(int[] heights, int[] widths) {

    public LevelShapes {
        if (heights == null || widths == null) throw new IllegalArgumentException("heights and widths must not be null");
        if (heights.length != widths.length) {
            throw new IllegalArgumentException("heights and widths differ in length: " + heights.length + " vs " + widths.length);
        }
        if (heights.length == 0) throw new IllegalArgumentException("at least one level is needed");
        for (int l = 0; l < heights.length; l++) {
            if (heights[l] < 1 || widths[l] < 1) {
                throw new IllegalArgumentException("level " + l + " has shape (" + heights[l] + ", " + widths[l] + "); both must be >= 1");
            }
        }
        heights = heights.clone();
        widths = widths.clone();
    }

    /** Levels from {@code (H_l, W_l)} pairs, e.g. {@code of(new int[][]{{32,32},{16,16}})}. */
    public static LevelShapes of(int[][] hw) {
        int[] h = new int[hw.length], w = new int[hw.length];
        for (int l = 0; l < hw.length; l++) {
            if (hw[l].length != 2) throw new IllegalArgumentException("level " + l + ": expected (H, W), got " + Arrays.toString(hw[l]));
            h[l] = hw[l][0];
            w[l] = hw[l][1];
        }
        return new LevelShapes(h, w);
    }

    /**
     * Levels from the PyTorch tensors: {@code spatialShapes [L,2]} (H, W) integers and, when not null,
     * {@code levelStartIndex [L]}, which must equal the cumulative sizes.
     */
    public static LevelShapes fromArrays(INDArray spatialShapes, INDArray levelStartIndex) {
        if (spatialShapes.rank() != 2 || spatialShapes.size(1) != 2) {
            throw new IllegalArgumentException("spatial_shapes must be [L,2], got " + Arrays.toString(spatialShapes.shape()));
        }
        long[][] hw = spatialShapes.toLongMatrix();
        int[][] pairs = new int[hw.length][];
        for (int l = 0; l < hw.length; l++) pairs[l] = new int[]{Math.toIntExact(hw[l][0]), Math.toIntExact(hw[l][1])};
        LevelShapes shapes = of(pairs);
        if (levelStartIndex != null) {
            long[] given = levelStartIndex.reshape(-1).toLongVector();
            int[] expected = shapes.starts();
            boolean ok = given.length == expected.length;
            for (int l = 0; ok && l < given.length; l++) ok = given[l] == expected[l];
            if (!ok) {
                throw new IllegalArgumentException("level_start_index " + Arrays.toString(given)
                        + " does not match spatial_shapes (expected " + Arrays.toString(expected) + ")");
            }
        }
        return shapes;
    }

    /** Number of levels L. */
    public int levels() { return heights.length; }

    /** H_l. */
    public int height(int level) { return heights[level]; }

    /** W_l. */
    public int width(int level) { return widths[level]; }

    /** {@code [L]} start of each level in the flattened sequence (PyTorch's {@code level_start_index}). */
    public int[] starts() {
        int[] s = new int[heights.length];
        for (int l = 1; l < s.length; l++) s[l] = s[l - 1] + heights[l - 1] * widths[l - 1];
        return s;
    }

    /** Total sequence length S = Σ_l H_l*W_l. */
    public int totalSize() {
        int s = 0;
        for (int l = 0; l < heights.length; l++) s += heights[l] * widths[l];
        return s;
    }

    @Override public int[] heights() { return heights.clone(); }

    @Override public int[] widths() { return widths.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof LevelShapes s && Arrays.equals(heights, s.heights) && Arrays.equals(widths, s.widths);
    }

    @Override public int hashCode() { return 31 * Arrays.hashCode(heights) + Arrays.hashCode(widths); }

    @Override public String toString() {
        StringBuilder b = new StringBuilder("LevelShapes[");
        for (int l = 0; l < heights.length; l++) b.append(l == 0 ? "" : ", ").append(heights[l]).append('x').append(widths[l]);
        return b.append(']').toString();
    }
}
