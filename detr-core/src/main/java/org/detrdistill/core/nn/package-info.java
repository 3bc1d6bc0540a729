/**
 * SameDiff building blocks with PyTorch semantics and PyTorch parameter names: {@link org.detrdistill.core.nn.Linear},
 * {@link org.detrdistill.core.nn.LayerNorm}, {@link org.detrdistill.core.nn.Mlp},
 * {@link org.detrdistill.core.nn.MultiheadAttention}, {@link org.detrdistill.core.nn.GroupNorm}, created through a seeded
 * {@link org.detrdistill.core.nn.ParamFactory}; and the parameter-free {@link org.detrdistill.core.nn.Detach}
 * ({@code tensor.detach()}) and {@link org.detrdistill.core.nn.InverseSigmoid}.
 *
 * <p>Tensors are batch-first ({@code [B, L, E]}); batch and sequence lengths are dynamic ({@link org.detrdistill.core.nn.Shapes}).
 * The {@code apply2d} variants work on 2-D token streams {@code [B·L, E]} with static sequence lengths and a dynamic
 * B: no shape ops, about half the ops of the rank-3 forms (SameDiff's executor costs tens of microseconds per op
 * whatever the op computes). The transformer layers of Conditional DETR use them.
 *
 * <p>A second pass over the same weights (an extra query group of a detector) runs the same building code inside
 * {@link org.detrdistill.core.nn.ParamFactory#share()} and a SameDiff name scope; explicit names of constants and
 * renamed outputs go through {@link org.detrdistill.core.nn.Names#scoped} so the two passes do not collide.
 */
package org.detrdistill.core.nn;
