package org.detrdistill.examples.bench;

import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The synthetic batch the detector benchmark trains on; {@code tools/bench/pytorch_reference.py} builds the same kind
 * of batch (same rule, its own random numbers: only the shapes and counts matter for speed).
 * <ul>
 *   <li>images {@code [B,3,H,W]} FLOAT, standard-normal values (as normalised pixels);</li>
 *   <li>even images fill the canvas; odd images cover its top-left {@code ⌊3H/4⌋ × ⌊7W/8⌋} and the rest is zero
 *       padding with pixel mask {@code [B,H,W]} = 1, so every batch exercises the key-padding masks;</li>
 *   <li>{@value #OBJECTS} objects per image, label {@code (3·i + k) mod C}, boxes cxcywh normalised by the image's
 *       unpadded size, sides uniform in [0.1, 0.5], centres such that the box lies inside the image.</li>
 * </ul>
 */
public final class BenchBatch {
    /** Ground-truth objects per image. */
    public static final int OBJECTS = 3;

    private BenchBatch() {}

    /**
     * @param batch   images B ≥ 1
     * @param height  canvas height H
     * @param width   canvas width W
     * @param classes C, labels are in [0, C)
     * @param seed    seed of the pixel values and boxes
     */
    public static DetectionBatch create(int batch, int height, int width, int classes, long seed) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        SplittableRandom random = new SplittableRandom(seed);
        INDArray images = Nd4j.create(DataType.FLOAT, batch, 3, height, width);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, batch, height, width);
        List<ImageTarget> targets = new ArrayList<>(batch);
        float[] pixels = new float[3 * height * width];
        for (int i = 0; i < batch; i++) {
            int h = i % 2 == 0 ? height : 3 * height / 4, w = i % 2 == 0 ? width : 7 * width / 8;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        pixels[(c * height + y) * width + x] = y < h && x < w ? (float) gaussian(random) : 0f;
                    }
                }
            }
            images.slice(i).assign(Nd4j.create(pixels, new long[]{3, height, width}, DataType.FLOAT));
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if (y >= h || x >= w) mask.putScalar(new long[]{i, y, x}, 1f);
                }
            }
            int[] labels = new int[OBJECTS];
            double[] boxes = new double[OBJECTS * 4];
            for (int k = 0; k < OBJECTS; k++) {
                labels[k] = (3 * i + k) % classes;
                double bw = 0.1 + 0.4 * random.nextDouble(), bh = 0.1 + 0.4 * random.nextDouble();
                boxes[4 * k] = bw / 2 + (1 - bw) * random.nextDouble();
                boxes[4 * k + 1] = bh / 2 + (1 - bh) * random.nextDouble();
                boxes[4 * k + 2] = bw;
                boxes[4 * k + 3] = bh;
            }
            targets.add(new ImageTarget(i, labels, Nd4j.create(boxes, new long[]{OBJECTS, 4}, DataType.FLOAT), h, w, h, w));
        }
        return new DetectionBatch(images, mask, targets);
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
