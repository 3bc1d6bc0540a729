package org.detrdistill.distill.detrdistill;

import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** ψ: a hand-worked case, and the fast form (query vector, one product) against the term-by-term reference. */
class TargetAwareMaskTest {

    /** One image, d = 2, a 1×4 level: f = [1,0], [0,2], [1,1], [-1,-1] per location. */
    static INDArray handFeature() {
        return Nd4j.createFromArray(new double[][][][]{{{{1, 0, 1, -1}}, {{0, 2, 1, -1}}}});
    }

    /** Hidden states of the 3 teacher queries: q0 = [2,0] (q̂ = [1,0]), q1 = [0,3] ([0,1]), q2 = [-1,0] ([-1,0]). */
    static INDArray handHidden() {
        return Nd4j.createFromArray(new double[][][]{{{2, 0}, {0, 3}, {-1, 0}}});
    }

    static List<ImageTarget> handTargets() {
        return List.of(new ImageTarget(1, new int[]{0, 1}, TeacherQueryQualityTest.gt(), 64, 64, 64, 64));
    }

    static INDArray batch(INDArray a) {
        return a.reshape(1, a.size(0), a.size(1));
    }

    @Test
    void handWorkedMask() {
        // selection (TeacherQueryQualityTest): t = 0.45 for q0, 0 for q2, 0.75 for q1 -> v = 0.45·[1,0] + 0.75·[0,1]
        INDArray v = TargetAwareMask.queryVectors(batch(TeacherQueryQualityTest.logits()), batch(TeacherQueryQualityTest.boxes()),
                handHidden(), handTargets(), 3);
        assertArrayEquals(new double[]{0.45, 0.75}, v.toDoubleVector(), 1e-12);
        // raw = <v, f̂>: 0.45, 0.75, 1.2/√2, -1.2/√2 -> clamp 0.01 -> divide by the max 1.2/√2
        double max = 1.2 / Math.sqrt(2);
        double[] expected = {0.45 / max, 0.75 / max, 1.0, 0.01 / max};   // 0.530330, 0.883883, 1, 0.011785
        INDArray psi = TargetAwareMask.psi(List.of(handFeature()), List.of(v)).get(0).get(0);
        assertArrayEquals(new long[]{1, 1, 1, 4}, psi.shape());
        assertArrayEquals(expected, psi.reshape(4).toDoubleVector(), 1e-12);
        assertArrayEquals(new double[]{0.5303300858899106, 0.8838834764831844, 1.0, 0.011785113019775792},
                psi.reshape(4).toDoubleVector(), 1e-12);

        List<TeacherQueryQuality.Selection> sel = List.of(TeacherQueryQuality.select(TeacherQueryQualityTest.logits(),
                TeacherQueryQualityTest.boxes(), TeacherQueryQualityTest.gt(), 3));
        double[][][] ref = TargetAwareMaskReference.psi(handFeature(), handHidden(), sel);
        assertArrayEquals(expected, ref[0][0], 1e-12);
    }

    @Test
    void fastFormMatchesTheTermByTermReference() {
        Random r = new Random(11);
        int b = 2, q = 5, c = 3, d = 4;
        List<INDArray> features = List.of(rand(r, b, d, 3, 4), rand(r, b, d, 2, 2));
        List<ImageTarget> targets = List.of(
                new ImageTarget(1, new int[]{0, 2}, boxes(r, 2), 64, 64, 64, 64),
                new ImageTarget(2, new int[0], Nd4j.create(DataType.DOUBLE, 0, 4), 64, 64, 64, 64));
        List<INDArray> vectors = new ArrayList<>();
        List<List<List<TeacherQueryQuality.Selection>>> selections = new ArrayList<>();
        List<INDArray> hiddens = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            INDArray logits = rand(r, b, q, c).muli(3), boxes = Nd4j.create(DataType.DOUBLE, b, q, 4), hidden = rand(r, b, q, d);
            for (int i = 0; i < b; i++) boxes.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).assign(boxes(r, q));
            vectors.add(TargetAwareMask.queryVectors(logits, boxes, hidden, targets, 7));
            hiddens.add(hidden);
            List<TeacherQueryQuality.Selection> sel = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                sel.add(TeacherQueryQuality.select(logits.slice(i), boxes.slice(i), targets.get(i).boxes(), 7));
            }
            selections.add(List.of(sel));
        }
        List<List<INDArray>> psi = TargetAwareMask.psi(features, vectors);
        for (int k = 0; k < 2; k++) {
            for (int l = 0; l < 2; l++) {
                double[][][] ref = TargetAwareMaskReference.psi(features.get(l), hiddens.get(k), selections.get(k).get(0));
                INDArray got = psi.get(k).get(l);
                for (int i = 0; i < b; i++) {
                    double max = 0;
                    for (int y = 0; y < ref[i].length; y++) {
                        for (int x = 0; x < ref[i][y].length; x++) {
                            assertEquals(ref[i][y][x], got.getDouble(i, 0, y, x), 1e-12, "stage " + k + " level " + l);
                            max = Math.max(max, got.getDouble(i, 0, y, x));
                        }
                    }
                    assertEquals(1.0, max, 1e-12);
                }
            }
        }
    }

    static INDArray rand(Random r, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) a.putScalar(i, r.nextGaussian());
        return a;
    }

    /** {@code n} valid cxcywh boxes inside the unit square. */
    static INDArray boxes(Random r, int n) {
        INDArray a = Nd4j.create(DataType.DOUBLE, n, 4);
        for (int i = 0; i < n; i++) {
            double w = 0.1 + 0.5 * r.nextDouble(), h = 0.1 + 0.5 * r.nextDouble();
            a.putRow(i, Nd4j.createFromArray(w / 2 + (1 - w) * r.nextDouble(), h / 2 + (1 - h) * r.nextDouble(), w, h));
        }
        return a;
    }
}
