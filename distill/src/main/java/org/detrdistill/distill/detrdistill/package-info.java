/**
 * DETRDistill (Chang et al., ICCV 2023; METHOD §2), each part a {@link org.detrdistill.distill.DistillTerm}:
 * <ul>
 *   <li>{@link org.detrdistill.distill.detrdistill.HungarianLogitsDistillation} ({@code kd_logits}): Hungarian-matching
 *   logits distillation, progressive over decoder stages, with {@link org.detrdistill.distill.detrdistill.StageGrouping}
 *   (teacher stages → student stages) and {@link org.detrdistill.distill.detrdistill.TeacherPredictionMatcher}
 *   (student ↔ teacher matching, optionally split into positives and negatives);</li>
 *   <li>{@link org.detrdistill.distill.detrdistill.TargetAwareFeatureDistillation} ({@code kd_feat}): MSE of the
 *   neck features weighted by the target-aware mask ψ ({@link org.detrdistill.distill.detrdistill.TargetAwareMask},
 *   computed in Java from the teacher's top-100 (query, class) pairs and their quality
 *   {@link org.detrdistill.distill.detrdistill.TeacherQueryQuality}; plain reference
 *   {@link org.detrdistill.distill.detrdistill.TargetAwareMaskReference});</li>
 *   <li>{@link org.detrdistill.distill.detrdistill.QueryRelationDistillation} ({@code kd_relation}): InfoNCE between
 *   projected ({@link org.detrdistill.distill.detrdistill.ProjectionHead}) student and teacher decoder embeddings paired
 *   by the student-to-teacher Hungarian matching, stages paired by
 *   {@link org.detrdistill.distill.detrdistill.StageGrouping};</li>
 *   <li>{@link org.detrdistill.distill.detrdistill.QueryPriorAssignmentDistillation} ({@code kd_assign}): the teacher's
 *   object queries (through a {@link org.detrdistill.distill.detrdistill.QueryAdapter} when the widths differ) run
 *   through the student's decoder as the extra query group {@code query_prior}
 *   ({@code DetectorGraph.addQueryGroup}), trained with the detection loss towards the teacher's own per-stage
 *   assignment to the ground truth (METHOD §2c).</li>
 * </ul>
 * {@link org.detrdistill.distill.detrdistill.FeatureLevels} holds the level / width / canvas rules shared with the
 * feature baselines of {@code org.detrdistill.distill.baseline}, and
 * {@link org.detrdistill.distill.detrdistill.FeatureTerm} is the base of every feature-imitation term ({@code kd_feat},
 * FitNet, MGD): student graph, levels, widths, student features and the step's teacher features.
 */
package org.detrdistill.distill.detrdistill;
