/**
 * Transformer layers of the DETR family as SameDiff builders: the post-norm encoder layer shared by DETR and
 * Conditional DETR ({@link org.detrdistill.core.transformer.EncoderLayer}), Conditional DETR's decoder layer and
 * decoder ({@link org.detrdistill.core.transformer.ConditionalDecoderLayer},
 * {@link org.detrdistill.core.transformer.ConditionalDecoder}), and the variant-specific attention blocks. Tensors are
 * batch-first {@code [B, L, d]}, except in the encoder layer and the conditional decoder, which take 2-D token streams
 * {@code [B·L, d]} with static lengths (fewer ops); parameters carry the reference state_dict names.
 *
 * <p>Sampling operators of Deformable DETR and AdaMixer, each with a plain-Java/INDArray reference beside it
 * ({@code Foo} + {@code FooReference}) that the tests hold against each other and against the reference fixtures:
 * <ul>
 *   <li>{@link org.detrdistill.core.transformer.BilinearSampler}: multi-level bilinear sampling equal to
 *       {@code grid_sample(align_corners=False, padding zeros)}, O(samples × channels), planned by
 *       {@link org.detrdistill.core.transformer.SamplingPlan} over {@link org.detrdistill.core.transformer.LevelShapes};</li>
 *   <li>{@link org.detrdistill.core.transformer.MSDeformAttnCore} ({@code ms_deform_attn_core_pytorch}) and the
 *       {@link org.detrdistill.core.transformer.MSDeformAttn} module;</li>
 *   <li>AdaMixer's {@link org.detrdistill.core.transformer.Sampling3D} and
 *       {@link org.detrdistill.core.transformer.AdaptiveMixing}.</li>
 * </ul>
 *
 * <p>Deformable DETR's transformer: {@link org.detrdistill.core.transformer.DeformableEncoderLayer},
 * {@link org.detrdistill.core.transformer.DeformableDecoderLayer} and
 * {@link org.detrdistill.core.transformer.DeformableTransformer} (with box refinement), the per-batch geometry
 * {@link org.detrdistill.core.transformer.DeformableGeometry} (valid ratios, encoder reference points) and the
 * plain-array {@link org.detrdistill.core.transformer.DeformableTransformerReference}.
 *
 * <p>AdaMixer's decoder stage: {@link org.detrdistill.core.transformer.AdaMixerDecoderStage} (IoF-biased
 * self-attention, 3-D sampling, adaptive mixing, FFN, heads, box refinement; configuration
 * {@link org.detrdistill.core.transformer.AdaMixerStageConfig}, reference initialisation
 * {@link org.detrdistill.core.transformer.AdaMixerStageInit}), its query-box geometry
 * {@link org.detrdistill.core.transformer.XyzrBoxes} and the plain-INDArray
 * {@link org.detrdistill.core.transformer.AdaMixerDecoderStageReference}.
 */
package org.detrdistill.core.transformer;
