/**
 * Knowledge distillation for DETR-family detectors. A frozen {@link org.detrdistill.distill.Teacher} gives named
 * outputs once per batch; {@link org.detrdistill.distill.DistillTerm}s turn them into weighted loss terms in the
 * student's graph; {@link org.detrdistill.distill.DistillationObjective} adds them to the student's detection loss and
 * is trained by {@code org.detrdistill.core.train.DetectorTrainer}.
 */
package org.detrdistill.distill;
