package org.detrdistill.datasets.eval;

/**
 * Average precision of one category (area "all" — the first area range — and the largest maxDets), as detectron2 and
 * most DETR code bases print per class: the mean of {@code precision[:, :, k, 0, M-1]} over entries that are not -1.
 *
 * @param categoryId COCO category id
 * @param ap         AP @ IoU 0.50:0.95; -1 if the category has no (non-crowd) ground truth
 * @param ap50       AP @ IoU 0.50; -1 if no ground truth or 0.5 is not one of the IoU thresholds
 */
public record CategoryAp(int categoryId, double ap, double ap50) {}
