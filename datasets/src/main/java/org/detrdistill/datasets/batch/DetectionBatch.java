package org.detrdistill.datasets.batch;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A padded batch of images and their targets, DETR's {@code NestedTensor} plus targets.
 *
 * @param images  {@code [B,3,Hmax,Wmax]} FLOAT, RGB, normalised; image {@code b} occupies the top-left
 *                {@code targets[b].height x targets[b].width} corner, the rest (bottom/right) is 0
 * @param mask    {@code [B,Hmax,Wmax]} FLOAT, 1 on padding and 0 on image pixels (DETR's {@code mask == True} means
 *                padding)
 * @param targets {@code B} targets; boxes {@code [n,4]} cxcywh normalised by each image's own unpadded transformed size
 *                (so a box never depends on what else is in the batch)
 */
public record DetectionBatch(INDArray images, INDArray mask, List<ImageTarget> targets) {
    public DetectionBatch {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(mask, "mask");
        targets = List.copyOf(targets);
        long[] s = images.shape();
        if (images.rank() != 4 || s[1] != 3 || s[0] != targets.size()) {
            throw new IllegalArgumentException("images must be [" + targets.size() + ",3,H,W], got " + Arrays.toString(s));
        }
        if (mask.rank() != 3 || mask.size(0) != s[0] || mask.size(1) != s[2] || mask.size(2) != s[3]) {
            throw new IllegalArgumentException("mask must be [" + s[0] + "," + s[2] + "," + s[3] + "], got "
                    + Arrays.toString(mask.shape()));
        }
    }

    /** Batch size {@code B}. */
    public int size() { return targets.size(); }

    /** Padded height {@code Hmax}. */
    public int height() { return (int) images.size(2); }

    /** Padded width {@code Wmax}. */
    public int width() { return (int) images.size(3); }
}
