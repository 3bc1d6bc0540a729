/**
 * The training engine's building blocks, independent of any detector: {@link org.detrdistill.core.train.AdamW} on
 * plain INDArrays with {@link org.detrdistill.core.train.ParamGroups} (lr multipliers, weight decay, frozen names),
 * {@link org.detrdistill.core.train.LrSchedule}s indexed by iteration,
 * {@link org.detrdistill.core.train.GradientClipper}, non-finite detection, one optimisation step on a SameDiff graph
 * ({@link org.detrdistill.core.train.GradientStep}; with {@link org.detrdistill.core.train.StagedFeeds} the loss
 * placeholders that depend on the predictions, such as the Hungarian matching targets, are computed between the
 * forward and the backward part of the same pass), atomic checkpoints with everything needed to resume
 * bit-for-bit ({@link org.detrdistill.core.train.Checkpoint}, {@link org.detrdistill.core.train.CheckpointStore}),
 * and training listeners (console progress, JSON-lines metrics, loss/AP curve PNGs, non-finite guard, time budget).
 * Training a detector on COCO data: {@link org.detrdistill.core.train.CocoSplit} (dataset files),
 * {@link org.detrdistill.core.train.CanvasData} (resize and pad to the detector's canvas, batches, evaluator),
 * {@link org.detrdistill.core.train.DetectorTrainer}; afterwards {@link org.detrdistill.core.train.TrainedDetector}
 * restores the detector from a checkpoint.
 */
package org.detrdistill.core.train;
