/**
 * Bounding-box operations: format conversion (cxcywh &lt;-&gt; xyxy), areas, IoU, union and generalized IoU, with the
 * formulas of facebookresearch/detr {@code util/box_ops.py}. Boxes are {@code [N,4]}, {@code cxcywh} normalised for
 * predictions, {@code xyxy} for overlap computations.
 *
 * <p>{@link org.detrdistill.core.box.BoxOps} is the plain-Java implementation used on the host (matcher,
 * post-processing) and the reference for the graph versions; {@link org.detrdistill.core.box.SdBoxOps} builds the
 * differentiable SameDiff versions used by the losses; {@link org.detrdistill.core.box.HostArrays} copies INDArrays
 * (views included) to primitive arrays and back.
 */
package org.detrdistill.core.box;
