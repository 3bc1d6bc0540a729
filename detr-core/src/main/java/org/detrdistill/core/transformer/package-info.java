/**
 * Transformer layers of the DETR family as SameDiff builders: the post-norm encoder layer shared by DETR and
 * Conditional DETR, and the variant-specific attention blocks. Tensors are batch-first {@code [B, L, d]}.
 *
 * <p>Deformable DETR: {@link org.detrdistill.core.transformer.MSDeformAttn} (multi-scale deformable attention),
 * {@link org.detrdistill.core.transformer.DeformableEncoderLayer}, {@link org.detrdistill.core.transformer.DeformableDecoderLayer}
 * and {@link org.detrdistill.core.transformer.DeformableTransformer} (with box refinement), the per-batch geometry
 * {@link org.detrdistill.core.transformer.DeformableGeometry} and the plain-array
 * {@link org.detrdistill.core.transformer.DeformableTransformerReference}.
 */
package org.detrdistill.core.transformer;
