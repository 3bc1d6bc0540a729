/**
 * ONNX teachers: reading ONNX files ({@link org.detrdistill.core.onnx.OnnxModel}), the rewrite pass that works around
 * the defects of DL4J's ONNX importer ({@link org.detrdistill.core.onnx.OnnxRewriter}, rules in
 * {@code core.onnx.rewrite}), import into SameDiff ({@link org.detrdistill.core.onnx.OnnxImporter}) and the frozen
 * teacher adapter mapping graph outputs to the detector contract ({@link org.detrdistill.core.onnx.OnnxTeacherGraph},
 * {@link org.detrdistill.core.onnx.OnnxOutputMapping}), its file ({@link org.detrdistill.core.onnx.OnnxTeacherBundle}),
 * the native route for exports carrying the official Conditional / Deformable DETR parameter names
 * ({@link org.detrdistill.core.onnx.OnnxNativeImport}: architecture from the weights, weights into this framework's
 * detector) and verification against reference outputs ({@link org.detrdistill.core.onnx.OnnxVerification}).
 * {@code core.onnx.eval} is a plain-Java ONNX interpreter: the reference for the imported graphs and the engine of
 * constant folding.
 */
package org.detrdistill.core.onnx;
