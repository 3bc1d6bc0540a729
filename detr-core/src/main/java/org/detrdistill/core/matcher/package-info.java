/**
 * Bipartite matching of predictions to targets.
 *
 * <ul>
 *   <li>{@link org.detrdistill.core.matcher.LinearSumAssignment}: exact rectangular assignment solver (shortest
 *       augmenting paths), the counterpart of {@code scipy.optimize.linear_sum_assignment}, returning an
 *       {@link org.detrdistill.core.matcher.LsaSolution};</li>
 *   <li>{@link org.detrdistill.core.matcher.HungarianMatcher}: the DETR-family matching cost (focal or softmax or
 *       soft-BCE class cost, L1 and GIoU on boxes) configured by {@link org.detrdistill.core.matcher.MatcherConfig},
 *       giving one {@link org.detrdistill.core.matcher.Assignment} per image; targets may be ground truth or soft
 *       teacher predictions.</li>
 * </ul>
 * Everything here runs on the host in double precision; the results are constants for the losses.
 */
package org.detrdistill.core.matcher;
