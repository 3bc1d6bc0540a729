/**
 * The DETR set criterion as named SameDiff loss terms plus a weight map, and the Java-side encoding of a matching
 * into the criterion's placeholders.
 *
 * <p>{@link org.detrdistill.core.loss.SetCriterion} builds, for every {@link org.detrdistill.core.loss.Stage}
 * ({@code final}, {@code aux_0}, ...), the terms {@code loss_ce}, {@code loss_bbox}, {@code loss_giou} (suffixed
 * {@code _<i>} for aux stages) and a weighted total; {@link org.detrdistill.core.loss.TargetEncoder} turns
 * {@code List<Assignment>} and {@code List<ImageTarget>} (or soft, weighted {@link org.detrdistill.core.loss.SoftTargets})
 * into {@link org.detrdistill.core.loss.EncodedTargets}; {@link org.detrdistill.core.loss.CriterionGraph#feed} maps
 * them onto placeholders. {@link org.detrdistill.core.loss.SetCriterionReference} is the plain-Java reference.
 */
package org.detrdistill.core.loss;
