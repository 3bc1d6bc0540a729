/**
 * Teachers: {@link org.detrdistill.distill.teacher.NativeTeacher} (a frozen detector of this framework rebuilt from a
 * checkpoint: every stage's logits, boxes and hidden states, features, queries, its own ground-truth assignment, and
 * box-level outputs) and {@link org.detrdistill.distill.teacher.ResultsFileTeacher} (an offline COCO results file:
 * boxes, scores and labels only). {@link org.detrdistill.distill.teacher.BoxSelection} is Teach-DETR's score threshold
 * and per-image cap.
 */
package org.detrdistill.distill.teacher;
