package org.detrdistill.core.position;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PositionEmbeddingSine} against torch re-implementations of the references (fixtures/position). */
class PositionEmbeddingSineTest {

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)), false).maxNumber().doubleValue();
    }

    /** Max |a − b| over positions whose mask is 0 (mask [B,H,W], arrays [B,C,H,W]). */
    private static double maxAbsDiffValid(INDArray a, INDArray b, INDArray mask) {
        INDArray d = Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)), false);
        INDArray valid = mask.castTo(DataType.DOUBLE).rsub(1.0);
        INDArray v = valid.reshape(valid.size(0), 1, valid.size(1), valid.size(2));
        return d.mul(v.broadcast(d.shape())).maxNumber().doubleValue();
    }

    @Test void detrAndDeformableMatchTheReferenceOnEveryLevel() {
        Fixture f = Fixture.load("position", "sine_padded_B2_37x45");
        int npf = f.config().path("num_pos_feats").asInt();
        for (int l = 0; l < 5; l++) {
            INDArray mask = f.npy("mask_" + l);
            for (String variant : new String[] {"detr", "deformable"}) {
                PositionEmbeddingSine pe = variant.equals("detr")
                        ? PositionEmbeddingSine.detr(npf) : PositionEmbeddingSine.deformable(npf);
                INDArray dbl = pe.embed(mask, DataType.DOUBLE);
                INDArray flt = pe.embed(mask, DataType.FLOAT);
                INDArray expected = f.npy("pos_" + variant + "_" + l);
                assertArrayEquals(expected.shape(), dbl.shape());
                assertEquals(DataType.FLOAT, flt.dataType());
                double d = maxAbsDiff(expected, dbl);
                double d32 = maxAbsDiffValid(f.npy("pos_" + variant + "_" + l + "_float32"), flt, mask);
                System.out.printf("level %d %s: DOUBLE %.2e, FLOAT vs float32 reference (valid positions) %.2e%n",
                        l, variant, d, d32);
                assertTrue(d <= 1e-12, variant + " level " + l + ": " + d);
                assertTrue(d32 <= 2e-6, variant + " level " + l + " float32: " + d32);
            }
        }
        INDArray unnorm = new PositionEmbeddingSine(npf, 10000, false, 2 * Math.PI, 1e-6, 0)
                .embed(f.npy("image_mask"), DataType.DOUBLE);
        assertTrue(maxAbsDiff(f.npy("pos_unnormalized_image"), unnorm) <= 1e-12);
    }

    @Test void irregularMaskFollowsTheCumulativeSums() {
        Fixture f = Fixture.load("position", "sine_random_mask_B2_6x7");
        INDArray mask = f.npy("mask");
        assertTrue(maxAbsDiff(f.npy("pos_detr"), PositionEmbeddingSine.detr(8).embed(mask, DataType.DOUBLE)) <= 1e-12);
        assertTrue(maxAbsDiff(f.npy("pos_deformable"), PositionEmbeddingSine.deformable(8).embed(mask, DataType.DOUBLE)) <= 1e-12);
        // a boolean mask gives the same result as the uint8 one
        INDArray asBool = PositionEmbeddingSine.detr(8).embed(mask.castTo(DataType.BOOL), DataType.DOUBLE);
        assertEquals(0.0, maxAbsDiff(f.npy("pos_detr"), asBool), 1e-12);
    }

    @Test void unpaddedImageHasTheClosedForm() {
        INDArray mask = Nd4j.zeros(DataType.UINT8, 1, 3, 4);
        INDArray pos = PositionEmbeddingSine.detr(4).embed(mask, DataType.DOUBLE);
        assertArrayEquals(new long[] {1, 8, 3, 4}, pos.shape());
        double y = 2.0 / (3 + 1e-6) * 2 * Math.PI; // row 1: cumsum 2 of 3
        double x = 3.0 / (4 + 1e-6) * 2 * Math.PI; // column 2: cumsum 3 of 4
        double dim2 = (float) Math.pow(10000, 2.0 / 4);
        assertEquals(Math.sin(y), pos.getDouble(0, 0, 1, 2), 1e-15);
        assertEquals(Math.cos(y), pos.getDouble(0, 1, 1, 2), 1e-15);
        assertEquals(Math.sin(y / dim2), pos.getDouble(0, 2, 1, 2), 1e-15);
        assertEquals(Math.cos(x / dim2), pos.getDouble(0, 7, 1, 2), 1e-15);
    }

    @Test void badArgumentsFailClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PositionEmbeddingSine.detr(4).embed(Nd4j.zeros(3, 4), DataType.FLOAT));
        assertTrue(e.getMessage().contains("[B,H,W]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PositionEmbeddingSine.detr(7));
    }

    @Test void jsonRoundTrip() throws Exception {
        ObjectMapper json = new ObjectMapper();
        PositionEmbeddingSine pe = PositionEmbeddingSine.deformable(128);
        assertEquals(pe, json.readValue(json.writeValueAsString(pe), PositionEmbeddingSine.class));
    }
}
