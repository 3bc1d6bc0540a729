package org.detrdistill.core.matcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.testutil.Fixture;
import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** {@link HungarianMatcher} against detr / Deformable-DETR matchers (fixtures/matcher_criterion) and hand values. */
class HungarianMatcherTest {
    private static final double TOL = 1e-9;

    @ParameterizedTest
    @ValueSource(strings = {"detr_b2_q10_c5_allempty_L2", "detr_b2_q10_c5_t4-0_L2", "detr_b3_q10_c5_t2-0-3_L3",
            "deformable_b2_q10_c5_allempty_L2", "deformable_b2_q10_c5_t4-0_L2", "deformable_b3_q10_c5_t2-0-3_L3"})
    void costMatricesAndMatchingMatchReference(String name) {
        Fixture f = Fixture.load("matcher_criterion", name);
        JsonNode cfg = f.config();
        JsonNode m = cfg.get("matcher");
        MatcherConfig.Builder b = MatcherConfig.builder()
                .classCost(name.startsWith("detr") ? MatcherConfig.ClassCost.SOFTMAX : MatcherConfig.ClassCost.FOCAL)
                .classWeight(m.get("cost_class").asDouble()).bboxWeight(m.get("cost_bbox").asDouble())
                .giouWeight(m.get("cost_giou").asDouble());
        if (m.has("focal_alpha")) b.focalAlpha(m.get("focal_alpha").asDouble()).focalGamma(m.get("focal_gamma").asDouble());
        HungarianMatcher matcher = new HungarianMatcher(b.build());
        assertEquals(name.startsWith("detr") ? MatcherConfig.detr() : MatcherConfig.deformableDetr(), matcher.config());

        int batch = cfg.get("batch").asInt(), layers = cfg.get("decoder_layers").asInt();
        List<ImageTarget> targets = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int[] labels = FixtureArrays.ints(f, "target_" + i + "_labels");
            targets.add(new ImageTarget(i, labels, FixtureArrays.doubles(f, "target_" + i + "_boxes"), 64, 64, 64, 64));
            assertEquals(cfg.get("target_counts").get(i).asInt(), labels.length);
        }
        int checkedPairs = 0;
        for (int l = 0; l < layers; l++) {
            String layer = l == layers - 1 ? "final" : "aux_" + l;
            String prefix = layer.equals("final") ? "" : layer + "_";
            INDArray logits = f.npy(prefix + "pred_logits"), boxes = f.npy(prefix + "pred_boxes");
            for (int i = 0; i < batch; i++) {
                INDArray expected = FixtureArrays.doubles(f, "match_" + layer + "_cost_" + i);
                INDArray actual = matcher.costMatrix(logits, boxes, i, targets.get(i));
                assertArrayEquals(expected.shape(), actual.shape(), layer + " image " + i);
                double[] e = expected.ravel().toDoubleVector(), a = actual.ravel().toDoubleVector();
                for (int k = 0; k < e.length; k++) {
                    assertEquals(e[k], a[k], TOL * Math.max(1, Math.abs(e[k])), name + " " + layer + " cost " + i + "[" + k + "]");
                }
            }
            List<Assignment> got = matcher.match(logits, boxes, targets);
            int[] bi = FixtureArrays.ints(f, "match_" + layer + "_batch_idx");
            int[] qi = FixtureArrays.ints(f, "match_" + layer + "_query_idx");
            int[] ti = FixtureArrays.ints(f, "match_" + layer + "_target_idx");
            JsonNode fromManifest = f.expected().get("matches").get(layer);
            assertArrayEquals(qi, json(fromManifest.get(0)), "npy vs manifest");
            for (int i = 0; i < batch; i++) {
                final int img = i;
                int[] pos = java.util.stream.IntStream.range(0, bi.length).filter(k -> bi[k] == img).toArray();
                Assignment want = new Assignment(Arrays.stream(pos).map(k -> qi[k]).toArray(),
                        Arrays.stream(pos).map(k -> ti[k]).toArray());
                assertEquals(want, got.get(i), name + " " + layer + " image " + i);
                checkedPairs += want.size();
            }
        }
        assertEquals(layers * targets.stream().mapToInt(ImageTarget::size).sum(), checkedPairs);
    }

    @Test
    void oneHotSoftTargetsEqualLabelsForEveryClassCost() {
        Random rnd = new Random(3);
        int q = 12, c = 6, n = 4;
        INDArray logits = Nd4j.create(randn(rnd, q * c, 2), new long[]{q, c}, 'c');
        INDArray boxes = Nd4j.create(randomBoxes(rnd, q), new long[]{q, 4}, 'c');
        INDArray tBoxes = Nd4j.create(randomBoxes(rnd, n), new long[]{n, 4}, 'c');
        int[] labels = {0, 4, 4, 2};
        for (MatcherConfig cfg : List.of(MatcherConfig.deformableDetr(), MatcherConfig.detr(), MatcherConfig.detrDistill())) {
            HungarianMatcher m = new HungarianMatcher(cfg);
            INDArray byLabel = m.costMatrix(logits, boxes, tBoxes, labels);
            List<Integer> widths = cfg.classCost() == MatcherConfig.ClassCost.SOFTMAX ? List.of(c, c - 1) : List.of(c);
            for (int k : widths) {
                INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, n, k);
                for (int j = 0; j < n; j++) oneHot.putScalar(j, labels[j], 1.0);
                INDArray byProb = m.costMatrix(logits, boxes, tBoxes, oneHot);
                assertTrue(byLabel.equalsWithEps(byProb, 1e-12), cfg.classCost() + " K=" + k);
                assertEquals(m.matchImage(logits, boxes, tBoxes, labels), m.matchImage(logits, boxes, tBoxes, oneHot));
            }
        }
    }

    @Test
    void handComputedSinglePairCosts() {
        INDArray logits = Nd4j.create(new double[][]{{1.0, -2.0}});
        INDArray box = Nd4j.create(new double[][]{{0.5, 0.5, 0.2, 0.4}});
        INDArray tBox = Nd4j.create(new double[][]{{0.5, 0.5, 0.4, 0.4}}); // L1 0.2, IoU = GIoU = 0.5
        // focal at label 0, p = sigmoid(1)
        double p = 1 / (1 + Math.exp(-1.0));
        double focal = 0.25 * (1 - p) * (1 - p) * -Math.log(p + 1e-8) - 0.75 * p * p * -Math.log(1 - p + 1e-8);
        double expected = 5 * 0.2 + 2 * focal + 2 * -0.5;
        assertEquals(expected, new HungarianMatcher(MatcherConfig.deformableDetr())
                .costMatrix(logits, box, tBox, new int[]{0}).getDouble(0, 0), 1e-15);
        // softmax at label 0 (column 1 = no-object): -e^1 / (e^1 + e^-2)
        double soft = -Math.exp(1) / (Math.exp(1) + Math.exp(-2));
        assertEquals(5 * 0.2 + soft + 2 * -0.5, new HungarianMatcher(MatcherConfig.detr())
                .costMatrix(logits, box, tBox, new int[]{0}).getDouble(0, 0), 1e-15);
        // DETRDistill soft BCE with teacher probabilities (0.7, 0.2)
        double bce = 0.7 * Math.log(1 + Math.exp(-1.0)) + 0.3 * Math.log(1 + Math.exp(1.0))
                + 0.2 * Math.log(1 + Math.exp(2.0)) + 0.8 * Math.log(1 + Math.exp(-2.0));
        assertEquals(5 * 0.2 + bce + 2 * -0.5, new HungarianMatcher(MatcherConfig.detrDistill())
                .costMatrix(logits, box, tBox, Nd4j.create(new double[][]{{0.7, 0.2}})).getDouble(0, 0), 1e-14);
    }

    @Test
    void denseAndListSoftTargetsAgreeAndEmptyImagesGetEmptyAssignments() {
        Random rnd = new Random(5);
        int batch = 2, q = 9, c = 3, t = 4;
        INDArray logits = Nd4j.create(randn(rnd, batch * q * c, 1), new long[]{batch, q, c}, 'c').castTo(DataType.FLOAT);
        INDArray boxes = Nd4j.create(randomBoxes(rnd, batch * q), new long[]{batch, q, 4}, 'c');
        INDArray tBoxes = Nd4j.create(randomBoxes(rnd, batch * t), new long[]{batch, t, 4}, 'c');
        INDArray tProbs = Nd4j.rand(DataType.DOUBLE, batch, t, c);
        HungarianMatcher m = new HungarianMatcher(MatcherConfig.detrDistill());
        List<Assignment> dense = m.matchSoft(logits, boxes, tBoxes, tProbs);
        List<INDArray> bl = new ArrayList<>(), pl = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            bl.add(tBoxes.slice(b).dup());
            pl.add(tProbs.slice(b).dup());
        }
        assertEquals(dense, m.matchSoft(logits, boxes, bl, pl));
        assertEquals(t, dense.get(0).size());
        for (int b = 0; b < batch; b++) {
            assertEquals(m.matchImage(logits.slice(b), boxes.slice(b), bl.get(b), pl.get(b)), dense.get(b));
        }

        List<ImageTarget> targets = List.of(
                new ImageTarget(1, new int[0], Nd4j.create(DataType.DOUBLE, 0, 4), 8, 8, 8, 8),
                new ImageTarget(2, new int[]{2}, tBoxes.slice(0).getRow(0, true).dup(), 8, 8, 8, 8));
        List<Assignment> a = m.match(logits, boxes, targets);
        assertEquals(Assignment.empty(), a.get(0));
        assertEquals(1, a.get(1).size());
        assertArrayEquals(new long[]{q, 0}, m.costMatrix(logits, boxes, 0, targets.get(0)).shape());
    }

    @Test
    void badInputsAreNamed() {
        INDArray logits = Nd4j.zeros(DataType.DOUBLE, 2, 5, 3), boxes = Nd4j.ones(DataType.DOUBLE, 2, 5, 4).muli(0.3);
        INDArray tb = Nd4j.create(new double[][]{{0.5, 0.5, 0.2, 0.2}});
        List<ImageTarget> ok = List.of(new ImageTarget(1, new int[]{1}, tb, 8, 8, 8, 8),
                new ImageTarget(2, new int[]{2}, tb, 8, 8, 8, 8));
        HungarianMatcher detr = new HungarianMatcher(MatcherConfig.detr());
        HungarianMatcher focal = new HungarianMatcher(MatcherConfig.deformableDetr());

        assertMessage(() -> detr.match(logits, boxes, ok), "targets[1].labels[0] = 2 is outside [0, 2)");
        assertMessage(() -> focal.match(logits, boxes, ok.subList(0, 1)), "predictions have 2 images, targets 1");
        INDArray nanLogits = logits.dup();
        nanLogits.putScalar(new long[]{1, 3, 2}, Double.NaN);
        assertMessage(() -> focal.match(nanLogits, boxes, ok), "predLogits[1, 3, 2] = NaN");
        INDArray badBoxes = boxes.dup();
        badBoxes.putScalar(new long[]{0, 4, 2}, -0.1);
        assertMessage(() -> focal.match(logits, badBoxes, ok), "predBoxes[0, 4] is not a valid cxcywh box");
        INDArray badTarget = Nd4j.create(new double[][]{{0.5, 0.5, Double.NaN, 0.2}});
        assertMessage(() -> focal.matchImage(logits.slice(0), boxes.slice(0), badTarget, new int[]{0}),
                "target.boxes row 0 is not a valid cxcywh box");
        assertMessage(() -> focal.matchImage(logits.slice(0), boxes.slice(0), tb, Nd4j.create(new double[][]{{0.5, 1.5, 0}})),
                "target probs[0, 1] = 1.5 is not a probability");
        assertMessage(() -> focal.matchImage(logits.slice(0), boxes.slice(0), tb, Nd4j.create(new double[][]{{0.5, 0.5}})),
                "target probs have 2 classes, predictions 3");
        assertMessage(() -> focal.match(logits.slice(0), boxes, ok), "predLogits must have shape [*,*,*]");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    private static int[] json(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }

    private static double[] randn(Random rnd, int n, double scale) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = rnd.nextGaussian() * scale;
        return d;
    }

    /** {@code n} random cxcywh boxes inside the unit square. */
    static double[] randomBoxes(Random rnd, int n) {
        double[] d = new double[4 * n];
        for (int i = 0; i < n; i++) {
            double w = 0.05 + 0.4 * rnd.nextDouble(), h = 0.05 + 0.4 * rnd.nextDouble();
            d[4 * i] = w / 2 + (1 - w) * rnd.nextDouble();
            d[4 * i + 1] = h / 2 + (1 - h) * rnd.nextDouble();
            d[4 * i + 2] = w;
            d[4 * i + 3] = h;
        }
        return d;
    }
}
