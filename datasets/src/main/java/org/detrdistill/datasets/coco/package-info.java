/**
 * COCO instances files: a streaming reader ({@link org.detrdistill.datasets.coco.CocoInstancesReader}) that keeps
 * images, categories and annotations in bounded memory, the map between COCO category ids and contiguous labels
 * ({@link org.detrdistill.datasets.coco.CategoryMap}), and the {@link org.detrdistill.datasets.coco.LoadReport} of
 * what was skipped and why.
 *
 * <p>Boxes are COCO {@code [x, y, w, h]} in pixels of the original image throughout this package.
 */
package org.detrdistill.datasets.coco;
