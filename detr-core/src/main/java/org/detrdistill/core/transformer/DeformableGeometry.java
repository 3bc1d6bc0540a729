package org.detrdistill.core.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * The per-batch geometry of Deformable DETR's transformer, computed in plain Java from the level padding masks and
 * fed to the graph as placeholders (fundamentalvision/Deformable-DETR, models/deformable_transformer.py:
 * {@code DeformableTransformer.get_valid_ratio} and {@code DeformableTransformerEncoder.get_reference_points}).
 *
 * <p>Both are computed in float32 arithmetic exactly as the reference does (it computes them in float32 even for a
 * float64 model), then returned as {@code type}: valid ratios are {@code (float) valid / (float) size}, reference
 * coordinates {@code (i + 0.5) / (ratio · size)} then {@code · ratio_l'}, each step rounded to float32.
 * A level's valid extent is read from its mask's first column (height) and first row (width), as the reference does:
 * masks are assumed to be top-left aligned rectangles.
 */
public final class DeformableGeometry {
    private DeformableGeometry() {}

    /**
     * {@code get_valid_ratio} for every level, stacked.
     *
     * @param masks per level {@code [B, H_l, W_l]}, non-zero = padding
     * @return {@code [B, L, 2]}: (valid width / W_l, valid height / H_l)
     * @throws IllegalArgumentException naming the level whose mask is not rank 3 or whose batch differs
     */
    public static INDArray validRatios(List<INDArray> masks, DataType type) {
        if (masks.isEmpty()) throw new IllegalArgumentException("validRatios: no level masks");
        long b = masks.get(0).size(0);
        int levels = masks.size();
        float[] out = new float[Math.toIntExact(b * levels * 2)];
        for (int l = 0; l < levels; l++) {
            INDArray m = masks.get(l);
            if (m.rank() != 3 || m.size(0) != b) {
                throw new IllegalArgumentException("validRatios: mask of level " + l + " must be [" + b + ",H,W], got "
                        + Arrays.toString(m.shape()));
            }
            int h = (int) m.size(1), w = (int) m.size(2);
            for (int bi = 0; bi < b; bi++) {
                int validH = 0, validW = 0;
                for (int y = 0; y < h; y++) if (m.getDouble(bi, y, 0) == 0) validH++;
                for (int x = 0; x < w; x++) if (m.getDouble(bi, 0, x) == 0) validW++;
                int at = (int) ((bi * levels + l) * 2);
                out[at] = (float) validW / (float) w;
                out[at + 1] = (float) validH / (float) h;
            }
        }
        return Nd4j.create(out, new long[]{b, levels, 2}).castTo(type);
    }

    /**
     * {@code get_reference_points} of the encoder: the pixel centres of every level, normalised by the level's valid
     * extent, then scaled by every level's valid ratio.
     *
     * @param levels      the level shapes (H_l, W_l)
     * @param validRatios {@code [B, L, 2]} from {@link #validRatios}
     * @return {@code [B, S, L, 2]}, S = Σ H_l·W_l in level order, each level row-major; entry
     *         {@code [b, s, l', :] = ((x + 0.5)/(r_w·W) · r'_w, (y + 0.5)/(r_h·H) · r'_h)} with r the ratios of the level
     *         of token s and r' those of level l'
     */
    public static INDArray encoderReferencePoints(LevelShapes levels, INDArray validRatios, DataType type) {
        int l = levels.levels();
        if (validRatios.rank() != 3 || validRatios.size(1) != l || validRatios.size(2) != 2) {
            throw new IllegalArgumentException("encoderReferencePoints: valid ratios must be [B," + l + ",2], got "
                    + Arrays.toString(validRatios.shape()));
        }
        int b = (int) validRatios.size(0), s = levels.totalSize();
        float[] r = validRatios.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[b * s * l * 2];
        int[] starts = levels.starts();
        for (int bi = 0; bi < b; bi++) {
            for (int lv = 0; lv < l; lv++) {
                int h = levels.height(lv), w = levels.width(lv);
                float denomX = r[(bi * l + lv) * 2] * (float) w, denomY = r[(bi * l + lv) * 2 + 1] * (float) h;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        float refX = (x + 0.5f) / denomX, refY = (y + 0.5f) / denomY;
                        int token = starts[lv] + y * w + x;
                        for (int other = 0; other < l; other++) {
                            int at = ((bi * s + token) * l + other) * 2;
                            out[at] = refX * r[(bi * l + other) * 2];
                            out[at + 1] = refY * r[(bi * l + other) * 2 + 1];
                        }
                    }
                }
            }
        }
        return Nd4j.create(out, new long[]{b, s, l, 2}).castTo(type);
    }
}
