package org.detrdistill.datasets.image;

import java.util.ArrayList;
import java.util.List;

/**
 * The DETR / Deformable DETR / Conditional DETR data recipes ({@code make_coco_transforms} in facebookresearch/detr
 * {@code datasets/coco.py}), scalable to small demo resolutions. At {@code shortSide = 800, maxSize = 1333} they are
 * the published recipes exactly; at other sizes every length is multiplied by {@code shortSide / 800} and rounded.
 */
public final class DetrTransforms {
    private static final int[] SCALES = {480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800};
    private static final int[] PRE_CROP = {400, 500, 600};
    private static final int CROP_MIN = 384, CROP_MAX = 600;

    private DetrTransforms() { }

    /**
     * The training recipe: horizontal flip (p 0.5), then with probability 0.5 a multi-scale resize of the shortest
     * side to one of {@code 480, 512, ..., 800} (max {@code maxSize}), otherwise resize to one of
     * {@code 400, 500, 600}, {@code RandomSizeCrop(384, 600)} and the multi-scale resize (all lengths scaled by
     * {@code shortSide / 800}).
     *
     * @param shortSide the largest shortest-side length (800 in the papers)
     * @param maxSize   limit of the longest side (1333 in the papers), or 0 for none
     */
    public static DetectionTransform train(int shortSide, int maxSize) {
        double f = shortSide / 800.0;
        List<Integer> scales = scaled(SCALES, f);
        ResizeShortestSide multiScale = new ResizeShortestSide(scales, maxSize);
        DetectionTransform cropBranch = Compose.of(new ResizeShortestSide(scaled(PRE_CROP, f), 0),
                new RandomSizeCrop(Math.max(1, (int) Math.round(CROP_MIN * f)), Math.max(1, (int) Math.round(CROP_MAX * f))),
                multiScale);
        return Compose.of(new RandomHorizontalFlip(0.5), new RandomSelect(multiScale, cropBranch, 0.5));
    }

    /**
     * The evaluation recipe: resize the shortest side to {@code shortSide}, longest at most {@code maxSize}.
     * Deterministic.
     */
    public static DetectionTransform eval(int shortSide, int maxSize) {
        return ResizeShortestSide.of(shortSide, maxSize);
    }

    /** The multi-scale shortest-side lengths of {@link #train} for a given {@code shortSide}, ascending, distinct. */
    public static List<Integer> trainScales(int shortSide) {
        return scaled(SCALES, shortSide / 800.0);
    }

    private static List<Integer> scaled(int[] sizes, double f) {
        List<Integer> out = new ArrayList<>();
        for (int s : sizes) {
            int v = Math.max(1, (int) Math.round(s * f));
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }
}
