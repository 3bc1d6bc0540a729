/**
 * Runnable example mains: short, self-contained programs over the library that a user can copy into their own
 * project (each documents its arguments in its class comment): {@code EvaluateCoco} (COCO evaluation of a results
 * file), {@code TrainDetector} (synthetic data, training, evaluation), {@code PredictImages} (a trained detector
 * on image files: results file and drawings), {@code DistillDetector} (a student distilled from a teacher, as the
 * {@code distill} command does it) and {@code UseDetector} (a trained detector in your own DL4J code: the graph, a
 * forward pass on arrays, detections on files). The command line is in
 * {@link org.detrdistill.examples.cli}, benchmarks in {@link org.detrdistill.examples.bench}.
 */
package org.detrdistill.examples;
