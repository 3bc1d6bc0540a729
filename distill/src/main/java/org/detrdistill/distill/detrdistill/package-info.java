/**
 * DETRDistill's feature and relation terms (METHOD §2b, §2d), each a {@link org.detrdistill.distill.DistillTerm}:
 * <ul>
 *   <li>{@link org.detrdistill.distill.detrdistill.TargetAwareFeatureDistillation} ({@code kd_feat}): MSE of the
 *   neck features weighted by the target-aware mask ψ ({@link org.detrdistill.distill.detrdistill.TargetAwareMask},
 *   computed in Java from the teacher's top-100 (query, class) pairs and their quality
 *   {@link org.detrdistill.distill.detrdistill.TeacherQueryQuality}; plain reference
 *   {@link org.detrdistill.distill.detrdistill.TargetAwareMaskReference});</li>
 *   <li>{@link org.detrdistill.distill.detrdistill.QueryRelationDistillation} ({@code kd_relation}): InfoNCE between
 *   projected ({@link org.detrdistill.distill.detrdistill.ProjectionHead}) student and teacher decoder embeddings paired
 *   by the student-to-teacher Hungarian matching, stages paired by
 *   {@link org.detrdistill.distill.detrdistill.StageMapping}.</li>
 * </ul>
 * {@link org.detrdistill.distill.detrdistill.FeatureLevels} holds the level / width / canvas rules shared with the
 * feature baselines of {@code org.detrdistill.distill.baseline}.
 */
package org.detrdistill.distill.detrdistill;
