package org.detrdistill.core.loss;

import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.testutil.FiniteDifference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The distillation form of the criterion (soft class targets, per-query and per-box weights, a name prefix, two
 * stages) against central finite differences and the plain-Java reference, for both class losses.
 */
class SetCriterionGradientTest {
    private static final int B = 2;
    private static final int Q = 4;
    private static final int C = 3;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static SoftTargets soft(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        INDArray probs = Nd4j.rand(DataType.DOUBLE, n, C);
        INDArray boxes = Nd4j.hstack(Nd4j.rand(DataType.DOUBLE, n, 2).muli(0.5).addi(0.25),
                Nd4j.rand(DataType.DOUBLE, n, 2).muli(0.3).addi(0.1));
        double[] w = Nd4j.rand(DataType.DOUBLE, n).addi(0.2).toDoubleVector();
        return new SoftTargets(probs, boxes, w);
    }

    @ParameterizedTest
    @EnumSource(ClassLoss.class)
    void softWeightedTargetsMatchFiniteDifferencesAndTheReference(ClassLoss classLoss) {
        CriterionConfig cfg = CriterionConfig.builder().classLoss(classLoss).numClasses(C)
                .focalAlpha(0.3).focalGamma(1.5).eosCoef(0.2)
                .weight(CriterionConfig.LOSS_BBOX + "_0", 3.0).build();
        int k = cfg.classColumns();
        Nd4j.getRandom().setSeed(42);
        INDArray logits = Nd4j.randn(DataType.DOUBLE, B, Q, k).muli(2);
        INDArray boxes = Transforms.sigmoid(Nd4j.randn(DataType.DOUBLE, B, Q, 4).muli(0.5));
        INDArray auxLogits = Nd4j.randn(DataType.DOUBLE, B, Q, k);
        INDArray auxBoxes = Transforms.sigmoid(Nd4j.randn(DataType.DOUBLE, B, Q, 4).muli(0.5));

        SameDiff sd = SameDiff.create();
        List<Stage> stages = List.of(
                Stage.last(sd.placeHolder("logits", DataType.DOUBLE, -1, Q, k), sd.placeHolder("boxes", DataType.DOUBLE, -1, Q, 4)),
                Stage.aux(0, sd.placeHolder("aux_logits", DataType.DOUBLE, -1, Q, k), sd.placeHolder("aux_boxes", DataType.DOUBLE, -1, Q, 4)));
        CriterionGraph g = new SetCriterion(cfg, "kd/").build(sd, stages);
        assertEquals(List.of("kd/loss_ce", "kd/loss_bbox", "kd/loss_giou", "kd/loss_ce_0", "kd/loss_bbox_0", "kd/loss_giou_0"),
                g.termNames());
        assertEquals("kd/loss_bbox_0_weighted", g.weighted().get("loss_bbox_0").name());
        assertEquals(3.0, g.weights().get("loss_bbox_0"));
        assertEquals(5.0, g.weights().get("loss_bbox"));
        assertEquals("kd/loss_total", g.total().name());
        sd.setLossVariables(g.total().name());

        // image 0: 3 soft targets (one query left unmatched), image 1: 2 soft targets; a repeated query across stages
        List<SoftTargets> targets = List.of(soft(1, 3), soft(2, 2));
        TargetEncoder enc = TargetEncoder.forConfig(cfg, Q, DataType.DOUBLE);
        Map<String, EncodedTargets> encoded = new LinkedHashMap<>();
        encoded.put("final", enc.encodeSoft(List.of(new Assignment(new int[]{0, 2, 3}, new int[]{1, 0, 2}),
                new Assignment(new int[]{1, 3}, new int[]{1, 0})), targets, 0.5));
        encoded.put("aux_0", enc.encodeSoft(List.of(new Assignment(new int[]{1, 2, 3}, new int[]{0, 1, 2}),
                new Assignment(new int[]{0, 2}, new int[]{0, 1})), targets, 0.5));
        double numBoxes = 5;

        Map<String, INDArray> feed = new HashMap<>(g.feed(encoded, numBoxes));
        feed.put("logits", logits);
        feed.put("boxes", boxes);
        feed.put("aux_logits", auxLogits);
        feed.put("aux_boxes", auxBoxes);

        Map<String, Double> ref = new SetCriterionReference(cfg).losses(List.of(
                new SetCriterionReference.StageArrays("final", logits, boxes),
                new SetCriterionReference.StageArrays("aux_0", auxLogits, auxBoxes)), encoded, numBoxes);
        Map<String, INDArray> out = sd.output(feed, g.termNames().toArray(new String[0]));
        for (Map.Entry<String, SDVariable> e : g.terms().entrySet()) {
            double v = out.get(e.getValue().name()).getDouble(0);
            assertTrue(v > 0, e.getKey() + " should be positive, got " + v);
            assertEquals(ref.get(e.getKey()), v, 1e-12, e.getKey());
        }
        assertEquals(ref.get("loss_total"), sd.output(feed, g.total().name()).get(g.total().name()).getDouble(0), 1e-12);

        String[] inputs = {"logits", "boxes", "aux_logits", "aux_boxes"};
        Map<String, INDArray> grads = FiniteDifference.analytic(sd, feed, inputs);
        for (String in : inputs) {
            // every 3rd element keeps the test short; strides 3 and 4 x-offsets hit every box coordinate
            INDArray num = FiniteDifference.numeric(sd, g.total().name(), feed, in, 1e-6, 3);
            assertTrue(FiniteDifference.maxAbs(num) > 1e-3, in + ": degenerate test");
            assertEquals(0.0, FiniteDifference.maxAbsDiff(grads.get(in), num), 1e-7, classLoss + " d total / d " + in);
        }
    }
}
