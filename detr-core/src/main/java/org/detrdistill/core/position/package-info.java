/**
 * Positional encodings of the DETR family.
 *
 * <ul>
 *   <li>{@link org.detrdistill.core.position.PositionEmbeddingSine}: the 2-D sine encoding of a feature map from its
 *       padding mask ({@code [B,H,W]} → {@code [B,2n,H,W]}), computed on plain arrays and fed to graphs as data.</li>
 *   <li>{@link org.detrdistill.core.position.PaddingMasks}: image masks of padded batches and their nearest-neighbour
 *       resizing to each feature level.</li>
 *   <li>{@link org.detrdistill.core.position.SineEmbedding}: the sine embedding of (trainable) coordinates as a
 *       SameDiff function (Conditional DETR reference points, Deformable DETR two-stage proposals).</li>
 * </ul>
 * All use the float32 {@link org.detrdistill.core.position.FrequencyTable} of the references.
 */
package org.detrdistill.core.position;
