/**
 * SameDiff building blocks with PyTorch semantics and PyTorch parameter names: {@link org.detrdistill.core.nn.Linear},
 * {@link org.detrdistill.core.nn.LayerNorm}, {@link org.detrdistill.core.nn.Mlp},
 * {@link org.detrdistill.core.nn.MultiheadAttention}, created through a seeded {@link org.detrdistill.core.nn.ParamFactory}.
 *
 * <p>Tensors are batch-first ({@code [B, L, E]}); batch and sequence lengths are dynamic ({@link org.detrdistill.core.nn.Shapes}).
 */
package org.detrdistill.core.nn;
