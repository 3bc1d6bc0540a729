package org.detrdistill.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Computes a level's positional encoding in Java from its padding mask. The mask is data, not a trainable input,
 * and SameDiff's cumsum along an axis ≥ 1 has a wrong gradient, so encodings are fed as placeholders.
 */
@FunctionalInterface
public interface PositionEncoder {
    /**
     * @param mask {@code [B, H, W]}, 1 = padding
     * @param dim  encoding width d (d/2 features per axis)
     * @return {@code [B, d, H, W]}
     */
    INDArray encode(INDArray mask, int dim);
}
