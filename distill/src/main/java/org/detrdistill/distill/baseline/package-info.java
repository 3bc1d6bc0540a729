/**
 * CNN-style feature distillation baselines the DETRDistill paper compares against (METHOD §4), as
 * {@link org.detrdistill.distill.DistillTerm}s on the neck features {@code feature_<l>}:
 * {@link org.detrdistill.distill.baseline.FitNetDistillation} ({@code fitnet}: MSE of adapted student and teacher
 * features) and {@link org.detrdistill.distill.baseline.MaskedGenerativeDistillation} ({@code mgd}: a generator
 * reconstructs the teacher feature from the randomly masked student feature). FGD is not implemented.
 * Level, width and canvas compatibility follow {@link org.detrdistill.distill.detrdistill.FeatureLevels}.
 */
package org.detrdistill.distill.baseline;
