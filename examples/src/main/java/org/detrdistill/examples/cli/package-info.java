/**
 * The {@code detr-distill} command line (picocli), launched by {@code bin/detr-distill}:
 * {@link org.detrdistill.examples.cli.DetrDistillCli} is the top command and entry point; each subcommand is one
 * class ({@code SynthCommand}, {@code TrainCommand}, {@code DistillCommand}, {@code EvalCommand},
 * {@code PredictCommand}, {@code DemoCommand}, {@code ImportOnnxCommand}, {@code ConfigCommand}, {@code EnvCommand}) and
 * is thin over the library ({@code ImportOnnxCommand} has two helpers: {@code NativeTeacherConfig} resolves the native
 * route's detector config, {@code OnnxReport} formats its summary). Option blocks used by several commands are picocli
 * mixins: {@code DetectorOptions} (the detector config: {@code --variant/--preset/--config}, {@code --set}) in
 * {@code config}, {@code train} and {@code distill}; {@code TrainingOptions} (data, budget, evaluation, output) in
 * {@code train} and {@code distill}; {@code DistillOptions} (teachers, method, terms) in {@code distill}.
 * {@code TrainingSession} wires one training run (detector, objective, listeners) for {@code train}, {@code distill}
 * and {@code demo}. {@link org.detrdistill.examples.cli.CliErrors} turns exceptions into one-line messages and exit codes
 * (0 ok, 1 failure, 2 bad usage or input); {@link org.detrdistill.examples.cli.UsesNd4j} marks the commands that need
 * the native runtime, which is prepared only for them.
 */
package org.detrdistill.examples.cli;
