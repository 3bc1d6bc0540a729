/**
 * DETRDistill (Chang et al., ICCV 2023; METHOD §2). This package holds the Hungarian-matching logits distillation,
 * progressive over decoder stages: {@link org.detrdistill.distill.detrdistill.HungarianLogitsDistillation}, its
 * {@link org.detrdistill.distill.detrdistill.StageGrouping} (teacher stages → student stages) and
 * {@link org.detrdistill.distill.detrdistill.TeacherPredictionMatcher} (student ↔ teacher matching, optionally split
 * into positives and negatives). The feature-level terms of the method live beside them.
 */
package org.detrdistill.distill.detrdistill;
