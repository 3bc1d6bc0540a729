/**
 * Knowledge distillation for DETR-family detectors. A frozen {@link org.detrdistill.distill.Teacher} gives named
 * outputs once per batch; {@link org.detrdistill.distill.DistillTerm}s turn them into weighted loss terms in the
 * student's graph; {@link org.detrdistill.distill.DistillationObjective} adds them to the student's detection loss and
 * is trained by {@code org.detrdistill.core.train.DetectorTrainer}.
 *
 * <p>Configuration: {@link org.detrdistill.distill.DistillationConfig} (teacher {@link org.detrdistill.distill.TeacherSpec}
 * and terms with λ and {@link org.detrdistill.distill.TermOptions}); {@link org.detrdistill.distill.Distillation}
 * builds the objective from it through a {@link org.detrdistill.distill.DistillTermRegistry} (term name → default λ and
 * factory), loading teachers with a {@link org.detrdistill.distill.TeacherLoader}. {@link org.detrdistill.distill.DistillMethod}
 * names the usual term sets ({@code detrdistill}, {@code teach-detr}, {@code fitnet}, {@code mgd}, {@code none}) and
 * composes a config from a method, λ overrides and a list of teachers, as the {@code distill} command does.
 */
package org.detrdistill.distill;
