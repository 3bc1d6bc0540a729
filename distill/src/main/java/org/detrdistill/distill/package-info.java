/**
 * Knowledge distillation for DETR-family detectors. A frozen {@link org.detrdistill.distill.Teacher} gives named
 * outputs once per batch; {@link org.detrdistill.distill.DistillTerm}s turn them into weighted loss terms in the
 * student's graph; {@link org.detrdistill.distill.DistillationObjective} adds them to the student's detection loss and
 * is trained by {@code org.detrdistill.core.train.DetectorTrainer}.
 *
 * <p>Configuration: {@link org.detrdistill.distill.DistillationConfig} (teacher {@link org.detrdistill.distill.TeacherSpec}
 * and terms with λ and {@link org.detrdistill.distill.TermOptions}); {@link org.detrdistill.distill.Distillation}
 * builds the objective from it through a {@link org.detrdistill.distill.DistillTermRegistry} (term name → default λ and
 * factory), loading teachers with a {@link org.detrdistill.distill.TeacherLoader}.
 */
package org.detrdistill.distill;
