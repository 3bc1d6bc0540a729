/**
 * Teachers: {@link org.detrdistill.distill.teacher.NativeTeacher} (a frozen detector of this framework rebuilt from a
 * checkpoint: every stage's logits, boxes and hidden states, features, queries, its own ground-truth assignment, and
 * box-level outputs), {@link org.detrdistill.distill.teacher.OnnxTeacher} (a teacher exported to ONNX and imported as
 * a frozen graph: what its output mapping provides, its own assignment and box-level outputs) and
 * {@link org.detrdistill.distill.teacher.ResultsFileTeacher} (an offline COCO results file: boxes, scores and labels
 * only). {@link org.detrdistill.distill.teacher.DetectorTeacher} is what native and ONNX teachers share (canvas,
 * classes, width, checked by the terms); {@link org.detrdistill.distill.teacher.TeacherComponents} says which terms a
 * teacher's outputs allow; {@link org.detrdistill.distill.teacher.BoxSelection} is Teach-DETR's score threshold and
 * per-image cap.
 */
package org.detrdistill.distill.teacher;
