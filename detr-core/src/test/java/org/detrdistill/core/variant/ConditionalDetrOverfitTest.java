package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.box.BoxOps;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.model.Variant;
import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Trainability: a tiny Conditional DETR overfits one synthetic batch (two 64×64 images with 1–3 coloured rectangles,
 * class = colour) with Adam, the Hungarian matcher re-run on the current predictions at every step and the focal set
 * criterion on both decoder stages.
 */
class ConditionalDetrOverfitTest {
    private static final int SIZE = 64;
    private static final int STEPS = 90;
    private static final double LR = 3e-3;
    private static final double[][] COLOURS = {{1, 0.1, 0.1}, {0.1, 0.9, 0.1}, {0.2, 0.3, 1}};

    /** One image {@code [3,S,S]} (normalised) with {@code n} non-overlapping-ish rectangles; their targets. */
    private static ImageTarget draw(INDArray images, int b, int n, SplittableRandom rng) {
        double[][] px = new double[3][SIZE * SIZE];
        for (double[] c : px) java.util.Arrays.fill(c, 0.45);
        int[] labels = new int[n];
        double[][] boxes = new double[n][];
        for (int i = 0; i < n; i++) {
            // objects in separate horizontal bands so that none hides another
            int band = SIZE / n;
            int w = 14 + rng.nextInt(24), h = Math.min(10 + rng.nextInt(24), band - 2);
            int y0 = i * band + rng.nextInt(band - h + 1), x0 = rng.nextInt(SIZE - w + 1);
            labels[i] = rng.nextInt(COLOURS.length);
            for (int y = y0; y < y0 + h; y++) {
                for (int x = x0; x < x0 + w; x++) {
                    for (int c = 0; c < 3; c++) px[c][y * SIZE + x] = COLOURS[labels[i]][c];
                }
            }
            boxes[i] = new double[]{(x0 + w / 2.0) / SIZE, (y0 + h / 2.0) / SIZE, (double) w / SIZE, (double) h / SIZE};
        }
        for (int c = 0; c < 3; c++) {
            INDArray plane = Nd4j.createFromArray(px[c]).reshape(SIZE, SIZE).subi(0.45).divi(0.25);
            images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b), org.nd4j.linalg.indexing.NDArrayIndex.point(c))
                    .assign(plane.castTo(images.dataType()));
        }
        return new ImageTarget(b, labels, Nd4j.createFromArray(boxes), SIZE, SIZE, SIZE, SIZE);
    }

    @Test
    void overfitsOneBatch() {
        DetectorConfig config = DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny"))
                .hiddenDim(32).heads(2).encoderLayers(1).decoderLayers(2).ffnDim(64).numQueries(8).numClasses(3)
                .inputSize(SIZE, SIZE).build();
        DetectorGraph det = Detectors.build(config, DataType.FLOAT, 11);
        SameDiff sd = det.sameDiff();
        SplittableRandom rng = new SplittableRandom(5);
        INDArray images = Nd4j.zeros(DataType.FLOAT, 2, 3, SIZE, SIZE);
        List<ImageTarget> targets = List.of(draw(images, 0, 2, rng), draw(images, 1, 3, rng));
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 2, SIZE, SIZE);
        DetectionObjective loss = new DetectionObjective(det);

        List<String> params = new ArrayList<>();
        Map<String, GradientUpdater<?>> adam = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() != VariableType.VARIABLE) continue;
            params.add(v.name());
            long n = v.getArr().length();
            adam.put(v.name(), new Adam(LR).instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2 * n), true));
        }
        double first = Double.NaN, last = Double.NaN;
        long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(), wall0 = System.nanoTime();
        for (int step = 0; step < STEPS; step++) {
            Map<String, INDArray> feeds = loss.feeds(images, mask, targets);
            var og = sd.calculateGradientsAndOutputs(feeds, List.of(loss.loss()), params);
            last = og.getOutputs().get(loss.loss()).getDouble(0);
            if (step == 0) first = last;
            for (String p : params) {
                INDArray param = sd.getVariable(p).getArr();
                INDArray g = og.getGradients().get(p).dup().reshape(1, param.length());   // the updater's state layout
                adam.get(p).applyUpdater(g, step, 0);
                param.subi(g.reshape(param.shape()));
            }
            if (step % 15 == 0) System.out.printf("step %d loss %.4f%n", step, last);
        }
        // the final model: loss and IoU of the final stage's matched boxes
        Map<String, INDArray> out = det.forward(images, mask, DetectorNames.LOGITS, DetectorNames.BOXES).arrays();
        Map<String, INDArray> feeds = loss.feeds(images, mask, targets);
        double finalLoss = sd.output(feeds, loss.loss()).get(loss.loss()).getDouble(0);
        List<Assignment> match = loss.match(out.get(DetectorNames.LOGITS), out.get(DetectorNames.BOXES), targets);
        double minIou = 1;
        for (int b = 0; b < 2; b++) {
            Assignment a = match.get(b);
            assertEquals(targets.get(b).size(), a.queryIndex().length);
            for (int i = 0; i < a.queryIndex().length; i++) {
                INDArray pred = out.get(DetectorNames.BOXES).get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(a.queryIndex()[i])).castTo(DataType.DOUBLE).reshape(1, 4);
                INDArray gt = targets.get(b).boxes().getRow(a.targetIndex()[i]).reshape(1, 4);
                double iou = BoxOps.iou(BoxOps.cxcywhToXyxy(pred), BoxOps.cxcywhToXyxy(gt)).getDouble(0, 0);
                minIou = Math.min(minIou, iou);
            }
        }
        System.out.printf("%d steps: %.1f s thread CPU, %.1f s wall%n", STEPS,
                (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0) / 1e9,
                (System.nanoTime() - wall0) / 1e9);
        System.out.printf("overfit: loss %.4f -> %.4f (last step %.4f, %.1f%% lower), min matched IoU %.3f%n",
                first, finalLoss, last, 100 * (1 - finalLoss / first), minIou);
        assertTrue(finalLoss <= 0.1 * first, "loss fell from " + first + " to " + finalLoss + " only");
        assertTrue(minIou > 0.8, "min matched IoU " + minIou);
    }
}
