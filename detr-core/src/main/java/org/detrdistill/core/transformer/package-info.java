/**
 * Transformer layers of the DETR family as SameDiff builders: the post-norm encoder layer shared by DETR and
 * Conditional DETR, and the variant-specific attention blocks. Tensors are batch-first {@code [B, L, d]}.
 */
package org.detrdistill.core.transformer;
