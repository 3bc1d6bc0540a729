/**
 * Rewrite rules over an editable ONNX graph ({@link org.detrdistill.core.onnx.rewrite.MutableGraph}), one class per
 * importer defect; each rule preserves the graph's values. {@link org.detrdistill.core.onnx.OnnxRewriter} runs them in
 * order.
 */
package org.detrdistill.core.onnx.rewrite;
