package org.detrdistill.core.testutil;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.AdaMixerOptions;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

/**
 * The smallest configurations of each variant that still exercise everything (several feature levels, padding, box
 * refinement, several stages), for tests that need a whole detector cheaply, and a matching two-image batch.
 */
public final class TinyDetectors {
    /** Canvas of {@link #config} and {@link #batch}. */
    public static final int CANVAS = 64;

    private TinyDetectors() {}

    /**
     * A tiny detector: tiny ResNet (narrowed), width {@code d}, 2 heads, 1 encoder layer (none for AdaMixer),
     * {@code stages} decoder stages, {@code queries} queries, 3 classes, 64×64 canvas. Deformable DETR: 2 levels,
     * 2 points, box refinement. AdaMixer: 4 levels, 2 groups, 3 in / 4 out points.
     */
    public static DetectorConfig config(Variant variant, int d, int stages, int queries) {
        BackboneConfig bb = BackboneConfig.preset("tiny").toBuilder().widths(4, 8, 8, 16).stemWidth(4)
                .prefix(variant == Variant.ADAMIXER ? "backbone." : "backbone.0.body.").build();
        DetectorConfig.Builder b = DetectorConfig.builder(variant).backbone(bb).numClasses(3).numQueries(queries).hiddenDim(d)
                .heads(2).encoderLayers(variant == Variant.ADAMIXER ? 0 : 1).decoderLayers(stages).ffnDim(24)
                .inputSize(CANVAS, CANVAS);
        if (variant == Variant.DEFORMABLE_DETR) b.deformable(new DeformableOptions(2, 2, 2, true, false, 4));
        if (variant == Variant.ADAMIXER) b.adamixer(new AdaMixerOptions(4, 2, 3, 4, 8));
        return b.build();
    }

    /**
     * Two random images on the {@link #CANVAS}, the second 40 pixels high (rows below padded), with 2 and 1 ground-truth
     * boxes of classes {0, 2} and {1}.
     */
    public static DetectionBatch batch(DataType type, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray images = Nd4j.randn(type, 2, 3, CANVAS, CANVAS);
        INDArray mask = Nd4j.zeros(type, 2, CANVAS, CANVAS);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.interval(40, CANVAS), NDArrayIndex.all()).assign(1);
        images.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(40, CANVAS), NDArrayIndex.all()).assign(0);
        ImageTarget a = new ImageTarget(1, new int[]{0, 2}, Nd4j.createFromArray(new double[][]{{0.3, 0.35, 0.3, 0.4},
                {0.7, 0.6, 0.4, 0.3}}).castTo(type), CANVAS, CANVAS, CANVAS, CANVAS);
        ImageTarget b = new ImageTarget(2, new int[]{1}, Nd4j.createFromArray(new double[][]{{0.5, 0.45, 0.5, 0.6}}).castTo(type),
                40, CANVAS, 40, CANVAS);
        return new DetectionBatch(images, mask, List.of(a, b));
    }
}
