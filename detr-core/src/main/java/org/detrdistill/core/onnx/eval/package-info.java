/**
 * A plain-Java ONNX interpreter over {@link org.detrdistill.core.onnx.eval.HostTensor}s (float32 rounding per op):
 * the reference for imported graphs and the evaluator of static subgraphs in the rewrite pass.
 */
package org.detrdistill.core.onnx.eval;
