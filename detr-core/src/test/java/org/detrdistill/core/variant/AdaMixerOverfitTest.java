package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.box.BoxOps;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.AdaMixerOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AdaMixer is trainable: a tiny model (FLOAT) overfits one synthetic batch of two 64×64 images with two and three
 * coloured rectangles (class = colour) drawn here, with Adam (lr 3e-3, 10× lower after step 90) in a manual loop
 * ({@code sd.calculateGradientsAndOutputs}), the Hungarian matching recomputed every step. The loss must fall by at least 90% and every ground-truth box must be
 * matched by a final-stage box with IoU > 0.8.
 */
class AdaMixerOverfitTest {
    private static final int SIZE = 64;
    private static final int STEPS = 120;
    private static final double LR = 3e-3;
    /** The learning rate drops 10× for the last steps (as the reference's step schedule), which steadies the boxes. */
    private static final int DECAY_AT = 90;
    /** Rectangles per image: class (0 red, 1 green, 2 blue), x0, y0, x1, y1 in pixels. */
    private static final int[][][] RECTS = {
            {{0, 6, 8, 30, 40}, {2, 36, 30, 60, 58}},
            {{1, 4, 4, 22, 20}, {0, 28, 10, 58, 34}, {2, 12, 40, 40, 62}}};

    @BeforeAll
    static void floatPrecision() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    static INDArray images() {
        INDArray img = Nd4j.zeros(DataType.FLOAT, RECTS.length, 3, SIZE, SIZE).subi(1);
        for (int b = 0; b < RECTS.length; b++) {
            for (int[] r : RECTS[b]) {
                img.get(NDArrayIndex.point(b), NDArrayIndex.point(r[0]), NDArrayIndex.interval(r[2], r[4]), NDArrayIndex.interval(r[1], r[3])).assign(2);
            }
        }
        return img;
    }

    static List<ImageTarget> targets() {
        List<ImageTarget> t = new ArrayList<>();
        for (int b = 0; b < RECTS.length; b++) {
            int[] labels = new int[RECTS[b].length];
            double[][] boxes = new double[RECTS[b].length][];
            for (int i = 0; i < labels.length; i++) {
                int[] r = RECTS[b][i];
                labels[i] = r[0];
                boxes[i] = new double[]{(r[1] + r[3]) / 2.0 / SIZE, (r[2] + r[4]) / 2.0 / SIZE, (double) (r[3] - r[1]) / SIZE,
                        (double) (r[4] - r[2]) / SIZE};
            }
            t.add(new ImageTarget(b + 1, labels, Nd4j.createFromArray(boxes).castTo(DataType.FLOAT), SIZE, SIZE, SIZE, SIZE));
        }
        return t;
    }

    @Test
    void overfitsOneBatch() {
        DetectorConfig cfg = DetectorConfig.builder(Variant.ADAMIXER)
                .backbone(BackboneConfig.preset("tiny").toBuilder().prefix("backbone.").build())
                .numClasses(3).numQueries(10).hiddenDim(32).heads(4).encoderLayers(0).decoderLayers(2).ffnDim(64)
                .inputSize(SIZE, SIZE).adamixer(new AdaMixerOptions(4, 2, 4, 8, 16)).build();
        DetectorGraph det = Detectors.build(cfg, DataType.FLOAT, 1);
        DetectionObjective loss = new DetectionObjective(det);
        SameDiff sd = det.sameDiff();
        List<String> trainable = CentralDifference.trainable(sd);
        Map<String, INDArray[]> adam = new HashMap<>();
        for (String v : trainable) {
            INDArray p = sd.getVariable(v).getArr();
            adam.put(v, new INDArray[]{Nd4j.zerosLike(p), Nd4j.zerosLike(p)});
        }
        INDArray images = images();
        INDArray mask = Nd4j.zeros(DataType.FLOAT, RECTS.length, SIZE, SIZE);
        List<ImageTarget> targets = targets();

        double first = Double.NaN, last = Double.NaN;
        long start = System.nanoTime();
        for (int step = 1; step <= STEPS; step++) {
            Map<String, INDArray> feed = loss.feeds(images, mask, targets);
            var og = sd.calculateGradientsAndOutputs(feed, List.of(loss.loss()), trainable);
            last = og.getOutputs().get(loss.loss()).getDouble(0);
            if (step == 1) first = last;
            if (step % 40 == 0 || step == 1) {
                System.out.printf("step %d loss %.4f worst IoU %.3f (%.1f s)%n", step, last, worstMatchedIou(det, images, mask, targets),
                        (System.nanoTime() - start) / 1e9);
            }
            adamStep(sd, og.getGradients(), adam, step, step > DECAY_AT ? LR / 10 : LR);
        }
        double worstIou = worstMatchedIou(det, images, mask, targets);
        System.out.printf("AdaMixer overfit: loss %.4f -> %.4f (%.1f%% lower) in %d steps, %.1f s; worst matched IoU %.3f%n",
                first, last, 100 * (1 - last / first), STEPS, (System.nanoTime() - start) / 1e9, worstIou);
        assertTrue(last <= 0.1 * first, "loss fell from " + first + " to " + last + " only");
        assertTrue(worstIou > 0.8, "worst matched IoU " + worstIou);
    }

    /** The smallest IoU between a ground-truth box and its Hungarian-matched final-stage box; prints the matched scores. */
    private static double worstMatchedIou(DetectorGraph det, INDArray images, INDArray mask, List<ImageTarget> targets) {
        DetectorOutputs out = det.forward(images, mask, DetectorNames.LOGITS, DetectorNames.BOXES);
        List<Assignment> match = new HungarianMatcher(MatcherConfig.deformableDetr()).match(out.logits(), out.boxes(), targets);
        double worstIou = 1;
        for (int b = 0; b < targets.size(); b++) {
            Assignment a = match.get(b);
            INDArray pred = BoxOps.cxcywhToXyxy(out.boxes().get(NDArrayIndex.point(b)).castTo(DataType.DOUBLE));
            INDArray gt = BoxOps.cxcywhToXyxy(targets.get(b).boxes().castTo(DataType.DOUBLE));
            int q = (int) pred.size(0), n = (int) gt.size(0);
            double[] iou = new double[q * n];
            BoxOps.pairwiseIou(pred.dup().data().asDouble(), q, gt.dup().data().asDouble(), n, iou, new double[q * n]);
            for (int i = 0; i < a.queryIndex().length; i++) worstIou = Math.min(worstIou, iou[a.queryIndex()[i] * n + a.targetIndex()[i]]);
            INDArray probs = Transforms.sigmoid(out.logits().get(NDArrayIndex.point(b)));
            System.out.printf("image %d: matched queries %s, scores of their classes %s%n", b, java.util.Arrays.toString(a.queryIndex()),
                    scores(probs, a, targets.get(b)));
        }
        return worstIou;
    }

    private static String scores(INDArray probs, Assignment a, ImageTarget t) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < a.queryIndex().length; i++) {
            s.append(String.format("%.2f ", probs.getDouble(a.queryIndex()[i], t.labels()[a.targetIndex()[i]])));
        }
        return s.toString().trim();
    }

    /** Adam (β 0.9 / 0.999, ε 1e-8, bias-corrected) on every parameter with a gradient. */
    private static void adamStep(SameDiff sd, Map<String, INDArray> grads, Map<String, INDArray[]> state, int t, double lr) {
        double c1 = 1 - Math.pow(0.9, t), c2 = 1 - Math.pow(0.999, t);
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            INDArray[] s = state.get(e.getKey());
            if (s == null || e.getValue() == null) continue;
            INDArray g = e.getValue();
            s[0].muli(0.9).addi(g.mul(0.1));
            s[1].muli(0.999).addi(g.mul(g).muli(0.001));
            INDArray update = s[0].div(c1).divi(Transforms.sqrt(s[1].div(c2)).addi(1e-8)).muli(lr);
            sd.getVariable(e.getKey()).getArr().subi(update);
        }
    }
}
