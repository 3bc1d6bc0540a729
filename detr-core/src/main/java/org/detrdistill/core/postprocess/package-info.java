/**
 * Post-processing of detector outputs into {@link org.detrdistill.core.postprocess.Detections}: sigmoid top-k over
 * (query, class) pairs or DETR's softmax per query, boxes converted to xyxy pixels of the original image.
 */
package org.detrdistill.core.postprocess;
