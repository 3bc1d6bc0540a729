package org.detrdistill.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * A variant-specific geometry placeholder that the Java side computes for every batch from the standard feeds, e.g.
 * Deformable DETR's per-level valid ratios and encoder reference points. Declared by a builder with
 * {@link DetrBuilder#geometryPlaceholder}; {@link DetectorGraph#feeds} calls {@link #compute} after it has filled
 * the images, the pixel mask and every {@code level_<l>/mask} and {@code level_<l>/pos}.
 *
 * @param name    the placeholder's name in the graph
 * @param compute the value for a batch, from the feeds computed so far (keyed by {@link DetectorNames}); any floating
 *                type (it is cast to the graph's type)
 */
public record GeometryFeed(String name, Compute compute) {

    /** Computes one geometry array from the standard feeds of a batch. */
    @FunctionalInterface
    public interface Compute {
        /** @param feeds images, pixel mask and level masks/encodings of the batch, read-only */
        INDArray apply(Map<String, INDArray> feeds);
    }
}
