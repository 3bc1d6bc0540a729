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
 * </ul>
 */
package org.detrdistill.core.variant;
