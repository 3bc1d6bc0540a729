package org.detrdistill.core.variant;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.detrdistill.core.variant.DeformableDetrGradientTest.feeds;
import static org.detrdistill.core.variant.DeformableDetrGradientTest.graph;
import static org.detrdistill.core.variant.DeformableDetrGradientTest.loss;
import static org.detrdistill.core.variant.DeformableDetrGradientTest.tiny;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With box refinement, the references of stage k+1 are the detached boxes of stage k (the reference's
 * {@code .detach()}): in DOUBLE on the tiny model of {@link DeformableDetrGradientTest} with 2 decoder layers, a
 * stage-1 loss has no analytic gradient w.r.t. {@code bbox_embed.0} although it depends on it (finite difference),
 * and the parameters after the detach still match central differences.
 */
class DeformableDetrDetachTest {
    private static DataType saved;

    @BeforeAll static void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    @Test
    void refinedReferencesAreDetached() {
        DetectorConfig c = tiny(true, 2);
        DetectorGraph det = graph(c);
        SameDiff sd = det.sameDiff();
        Map<String, INDArray> feeds = feeds(det);
        // stage 1 depends on bbox_embed.0 only through its reference boxes, which the reference detaches
        loss(sd, feeds, DetectorNames.stageHidden(1), DetectorNames.stageLogits(1), DetectorNames.stageBoxes(1));
        String detachedOnly = "bbox_embed.0.layers.2.bias";
        Map<String, INDArray> g = sd.calculateGradients(feeds, detachedOnly, "bbox_embed.1.layers.2.weight");
        INDArray analytic = g.get(detachedOnly);
        assertTrue(analytic == null || analytic.amaxNumber().doubleValue() == 0.0, "no gradient through the detached reference");
        // ... although the loss does depend on it (finite difference through the reference boxes)
        INDArray b = sd.getVariable(detachedOnly).getArr();
        double orig = b.getDouble(0), eps = 1e-5;
        b.putScalar(0, orig + eps);
        double plus = sd.output(feeds, "loss").get("loss").getDouble(0);
        b.putScalar(0, orig - eps);
        double minus = sd.output(feeds, "loss").get("loss").getDouble(0);
        b.putScalar(0, orig);
        assertTrue(Math.abs((plus - minus) / (2 * eps)) > 1e-4, "the stage-1 loss depends on the stage-0 boxes");
        // parameters after the detach get their full gradient
        for (CentralDifference.Result r : CentralDifference.checkAll(sd, "loss", feeds, List.of("bbox_embed.1.layers.2.weight",
                "class_embed.1.weight", "transformer.decoder.layers.1.cross_attn.sampling_offsets.weight"), 2, 1e-6, 17)) {
            System.out.println("deformable_detr box-refine gradient " + r);
            assertTrue(r.maxAbsGradient() > 1e-6 && r.maxRelError() < 1e-5, r.toString());
        }
    }
}
