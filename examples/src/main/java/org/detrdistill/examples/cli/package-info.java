/**
 * The {@code detr-distill} command line (picocli), launched by {@code bin/detr-distill}:
 * {@link org.detrdistill.examples.cli.DetrDistillCli} is the top command and entry point; each subcommand is one
 * class ({@code SynthCommand}, {@code TrainCommand}, {@code EvalCommand}, {@code PredictCommand}, {@code DemoCommand},
 * {@code ImportOnnxCommand}, {@code ConfigCommand}, {@code EnvCommand}) and is thin over the library
 * ({@code ImportOnnxCommand} has two helpers: {@code NativeTeacherConfig} resolves the native route's detector config,
 * {@code OnnxReport} formats its summary). {@link org.detrdistill.examples.cli.CliErrors} turns exceptions into one-line messages and exit codes
 * (0 ok, 1 failure, 2 bad usage or input); {@link org.detrdistill.examples.cli.UsesNd4j} marks the commands that need
 * the native runtime, which is prepared only for them.
 */
package org.detrdistill.examples.cli;
