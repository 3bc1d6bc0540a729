package org.detrdistill.core.model;

import java.util.function.LongUnaryOperator;

/**
 * How the size of feature level {@code level} follows from the padded input size, so that its mask and positional
 * encoding can be computed in Java for any batch: {@code H_l = size.applyAsLong(H)}, likewise for W.
 *
 * @param level   level index, 0 = finest
 * @param size    input size → level size (conv arithmetic of the backbone and neck)
 * @param withPos whether the level needs a sine positional encoding placeholder ({@code level_<l>/pos})
 */
public record LevelGeometry(int level, LongUnaryOperator size, boolean withPos) {}
