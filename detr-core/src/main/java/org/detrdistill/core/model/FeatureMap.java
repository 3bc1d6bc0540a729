package org.detrdistill.core.model;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * One feature level as the encoder and decoder see it.
 *
 * @param level    level index, 0 = finest
 * @param features {@code [B, d, H_l, W_l]} projected features (exposed as {@code feature_<l>})
 * @param mask     {@code [B, H_l, W_l]} placeholder, 1 = padding ({@code level_<l>/mask})
 * @param pos      {@code [B, d, H_l, W_l]} placeholder, sine positional encoding ({@code level_<l>/pos}), or null
 *                 when the variant does not use it
 * @param stride   stride of the level relative to the input image
 * @param height   H_l at the detector's input canvas (static: graphs are built for one canvas)
 * @param width    W_l at the detector's input canvas
 */
public record FeatureMap(int level, SDVariable features, SDVariable mask, SDVariable pos, int stride, long height, long width) {
    /** Tokens of the level per image, {@code H_l · W_l}. */
    public long tokens() { return height * width; }
}
