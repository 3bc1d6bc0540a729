/**
 * Running trained detectors on images: {@link org.detrdistill.core.inference.ImagePredictor} (image files in, resized
 * and padded to the detector's canvas, detections in original-image pixels out) and
 * {@link org.detrdistill.core.inference.DetectionPainter} (boxes, class names and scores drawn onto the images as
 * PNGs, Java2D). Restore a detector from a training run with {@link org.detrdistill.core.train.TrainedDetector}.
 */
package org.detrdistill.core.inference;
