/**
 * Bounding-box operations: format conversion (cxcywh &lt;-&gt; xyxy), areas, IoU, union and generalized IoU.
 *
 * <p>{@link org.detrdistill.core.box.BoxOps} is the plain-Java implementation used on the host (matcher,
 * post-processing) and as the reference for graph versions; {@link org.detrdistill.core.box.HostArrays} copies
 * INDArrays (views included) to primitive arrays and back.
 */
package org.detrdistill.core.box;
