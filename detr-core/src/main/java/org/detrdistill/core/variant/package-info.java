/**
 * The detector variants on the base builder {@link org.detrdistill.core.model.DetrBuilder}, and the factory
 * {@link org.detrdistill.core.variant.Detectors} that builds any {@link org.detrdistill.core.model.DetectorConfig}.
 * Each variant overrides only the steps where it differs from DETR and exposes the
 * {@link org.detrdistill.core.model.DetectorNames} contract.
 *
 * <ul>
 *   <li>{@link org.detrdistill.core.variant.ConditionalDetr}: Conditional DETR.</li>
 *   <li>{@link org.detrdistill.core.variant.DeformableDetr}: Deformable DETR (multi-scale deformable attention,
 *       optional iterative box refinement; two-stage not built).</li>
 *   <li>{@link org.detrdistill.core.variant.AdaMixer}: AdaMixer (no encoder, 3-D sampling and adaptive mixing, box
 *       refinement in xyzr).</li>
 * </ul>
 * Each variant writes its {@code queries()} step (the learned {@code query_embed}) and its {@code decoder} for both its
 * own queries and an extra query group's, so every variant supports
 * {@link org.detrdistill.core.model.DetectorGraph#addQueryGroup} without copying a step.
 */
package org.detrdistill.core.variant;
