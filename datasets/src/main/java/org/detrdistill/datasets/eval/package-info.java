/**
 * COCO bbox evaluation equal to pycocotools' {@code COCOeval} (cocodataset/cocoapi), and COCO results files.
 *
 * <ul>
 *   <li>{@link org.detrdistill.datasets.eval.CocoGroundTruth}: the fields of a COCO instances file that evaluation
 *       uses, read by streaming (bounded memory).</li>
 *   <li>{@link org.detrdistill.datasets.eval.DetectionResult} / {@link org.detrdistill.datasets.eval.CocoResults}:
 *       one detection {@code {image_id, category_id, bbox [x,y,w,h] pixels, score}} and results-file read/write.</li>
 *   <li>{@link org.detrdistill.datasets.eval.CocoDetections}: detections checked against a ground truth.</li>
 *   <li>{@link org.detrdistill.datasets.eval.CocoEvaluator} → {@link org.detrdistill.datasets.eval.CocoEvaluation}:
 *       precision {@code [T,R,K,A,M]}, recall {@code [T,K,A,M]}, the 12 {@link org.detrdistill.datasets.eval.CocoStats},
 *       per-category AP, the summary table and JSON.</li>
 * </ul>
 *
 * Every convention of pycocotools is kept, including its floating-point operations, so results agree to the last bit;
 * see {@link org.detrdistill.datasets.eval.CocoEvaluator}.
 */
package org.detrdistill.datasets.eval;
