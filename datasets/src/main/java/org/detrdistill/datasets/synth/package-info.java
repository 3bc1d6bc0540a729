/**
 * A synthetic COCO-format detection dataset: coloured geometric shapes (circle, square, triangle, star, ring, cross,
 * diamond, hexagon, optionally crossed with colours) on plain, textured or photographic backgrounds, with tight
 * pixel-exact boxes, controlled scale, aspect ratio and occlusion, and non-contiguous category ids on request.
 *
 * <p>Entry points: {@link org.detrdistill.datasets.synth.SyntheticCocoConfig} (record with builder and JSON
 * round-trip), {@link org.detrdistill.datasets.synth.SyntheticCocoGenerator#generate} (writes
 * {@code train/}, {@code val/} and {@code annotations/instances_{train,val}.json}) and
 * {@link org.detrdistill.datasets.synth.SyntheticSceneRenderer} (renders any image in memory, e.g. for tests).
 * Output is deterministic given the config. See {@code datasets/README.md}.</p>
 */
package org.detrdistill.datasets.synth;
