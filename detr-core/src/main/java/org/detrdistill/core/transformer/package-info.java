/**
 * Transformer layers of the DETR family as SameDiff builders: the post-norm encoder layer shared by DETR and
 * Conditional DETR ({@link org.detrdistill.core.transformer.EncoderLayer}), Conditional DETR's decoder layer and
 * decoder ({@link org.detrdistill.core.transformer.ConditionalDecoderLayer},
 * {@link org.detrdistill.core.transformer.ConditionalDecoder}), and the variant-specific attention blocks. Tensors are
 * batch-first {@code [B, L, d]}; parameters carry the reference state_dict names.
 */
package org.detrdistill.core.transformer;
