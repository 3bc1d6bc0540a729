/**
 * The detector variants, each a {@link org.detrdistill.core.model.DetrBuilder} subclass exposing the
 * {@link org.detrdistill.core.model.DetectorNames} contract, and the factory
 * {@link org.detrdistill.core.variant.Detectors} that builds any {@link org.detrdistill.core.model.DetectorConfig}.
 *
 * <ul>
 *   <li>{@link org.detrdistill.core.variant.DeformableDetr}: Deformable DETR (multi-scale deformable attention,
 *       optional iterative box refinement).</li>
 * </ul>
 */
package org.detrdistill.core.variant;
