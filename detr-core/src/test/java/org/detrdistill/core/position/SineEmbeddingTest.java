package org.detrdistill.core.position;

import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SineEmbedding} (SameDiff) and {@link SineEmbeddingReference} against Conditional DETR's
 * gen_sineembed_for_position (shared fixture) and Deformable DETR's get_proposal_pos_embed (fixtures/position).
 */
class SineEmbeddingTest {

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)), false).maxNumber().doubleValue();
    }

    private static INDArray run(SineEmbedding cfg, INDArray pos, long... placeholderShape) {
        SameDiff sd = SameDiff.create();
        SDVariable p = sd.placeHolder("pos", pos.dataType(), placeholderShape);
        cfg.embed(sd, "emb", p);
        return sd.output(Map.of("pos", pos), "emb").get("emb");
    }

    @Test void conditionalDetrMatchesTheFixture() {
        Fixture f = Fixture.load("conditional_detr", "sineembed_Q10_B2");
        SineEmbedding cfg = SineEmbedding.conditionalDetr();
        double[] dimT = FrequencyTable.float32(128, 10000);
        assertEquals(0.0, maxAbsDiff(f.npy("dim_t"), Nd4j.createFromArray(dimT)), "float32 table");
        INDArray pos = f.npy("pos_tensor");
        INDArray expected = f.npy("output");
        INDArray graph = run(cfg, pos, -1, -1, 2); // dynamic leading shape
        INDArray graphStatic = run(cfg, pos, 10, 2, 2);
        INDArray ref = SineEmbeddingReference.embed(cfg, pos);
        assertArrayEquals(new long[] {10, 2, 256}, graph.shape());
        double dg = maxAbsDiff(expected, graph), ds = maxAbsDiff(expected, graphStatic), dr = maxAbsDiff(expected, ref);
        INDArray flt = run(cfg, pos.castTo(DataType.FLOAT), -1, -1, 2);
        double df = maxAbsDiff(f.npy("output_from_float32"), flt);
        System.out.printf("sineembed: graph %.2e (static %.2e), reference %.2e, FLOAT vs float32 fixture %.2e%n", dg, ds, dr, df);
        assertTrue(dg <= 1e-15 && ds <= 1e-15, "graph " + dg + " / " + ds);
        assertTrue(dr <= 1e-15, "reference " + dr);
        assertTrue(df <= 2e-6, "float " + df);
    }

    @Test void proposalBoxesMatchTheFixture() {
        Fixture f = Fixture.load("position", "proposal_sineembed_B2_N7");
        SineEmbedding cfg = SineEmbedding.proposalBoxes();
        INDArray boxes = f.npy("boxes");
        INDArray graph = run(cfg, boxes, -1, 7, 4);
        assertArrayEquals(new long[] {2, 7, 512}, graph.shape());
        double dg = maxAbsDiff(f.npy("output"), graph), dr = maxAbsDiff(f.npy("output"), SineEmbeddingReference.embed(cfg, boxes));
        System.out.printf("proposal sineembed: graph %.2e, reference %.2e%n", dg, dr);
        assertTrue(dg <= 1e-15 && dr <= 1e-15, dg + " / " + dr);
    }

    @Test void graphAndReferenceAgreeOnOtherLayouts() {
        SineEmbedding cfg = new SineEmbedding(6, 20, 1.5, List.of(2, 0, 2));
        INDArray pos = Nd4j.rand(DataType.DOUBLE, 5, 3);
        INDArray graph = run(cfg, pos, -1, 3);
        assertArrayEquals(new long[] {5, 18}, graph.shape());
        assertTrue(maxAbsDiff(SineEmbeddingReference.embed(cfg, pos), graph) <= 1e-15);
        assertEquals(3, cfg.inputCoordinates());
    }

    @Test void gradientMatchesCentralDifference() {
        Nd4j.getRandom().setSeed(19);
        SineEmbedding cfg = new SineEmbedding(8, 10000, 2 * Math.PI, List.of(1, 0));
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.placeHolder("pos", DataType.DOUBLE, -1, -1, 2);
        // a trainable shift, so that SameDiff builds a gradient graph; gradients are checked w.r.t. both
        SDVariable shift = sd.var("shift", Nd4j.createFromArray(0.01, -0.02));
        SDVariable emb = cfg.embed(sd, "emb", input.add(shift));
        Map<String, INDArray> ph = Map.of("pos", Nd4j.rand(DataType.DOUBLE, 4, 3, 2));
        INDArray r = Nd4j.randn(DataType.DOUBLE, 4, 3, 16);
        emb.mul(sd.constant("r", r)).sum().rename("loss");
        sd.setLossVariables("loss");
        CentralDifference.Result res = CentralDifference.check(sd, "loss", ph, "pos", 24, 1e-6, 1);
        CentralDifference.Result resShift = CentralDifference.check(sd, "loss", ph, "shift", 2, 1e-6, 1);
        System.out.println("sineembed gradient " + resShift);
        assertTrue(resShift.maxRelError() < 1e-7, resShift.toString());
        System.out.println("sineembed gradient " + res);
        assertTrue(res.maxAbsGradient() > 1e-2, "vacuous");
        assertTrue(res.maxRelError() < 1e-7, res.toString());
    }

    @Test void badInputFailsClearly() {
        SameDiff sd = SameDiff.create();
        SDVariable p3 = sd.placeHolder("p3", DataType.DOUBLE, -1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SineEmbedding.conditionalDetr().embed(sd, "x", p3));
        assertTrue(e.getMessage().contains("[..., 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SineEmbedding(128, 10000, 2 * Math.PI, List.of()));
    }
}
