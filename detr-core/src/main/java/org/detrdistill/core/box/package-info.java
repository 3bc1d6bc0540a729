/**
 * Bounding-box operations. {@link org.detrdistill.core.box.SdBoxOps} builds differentiable SameDiff graphs
 * (cxcywh/xyxy conversion, area, elementwise and pairwise IoU/GIoU) with the formulas of facebookresearch/detr
 * {@code util/box_ops.py}; boxes are {@code [N,4]}, {@code cxcywh} normalised for predictions, {@code xyxy} for overlap
 * computations.
 */
package org.detrdistill.core.box;
