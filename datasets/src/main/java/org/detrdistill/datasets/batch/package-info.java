/**
 * Batches for training: {@link org.detrdistill.datasets.batch.ImageTarget} (per-image ground truth),
 * {@link org.detrdistill.datasets.batch.DetectionBatch} (padded images {@code [B,3,Hmax,Wmax]}, padding mask
 * {@code [B,Hmax,Wmax]}, targets with cxcywh boxes normalised by each unpadded image), the collator that builds them,
 * and {@link org.detrdistill.datasets.batch.CocoDetectionIterator}, a reproducible prefetching iterator over a COCO
 * dataset, with an ND4J {@code MultiDataSetIterator} adapter.
 */
package org.detrdistill.datasets.batch;
