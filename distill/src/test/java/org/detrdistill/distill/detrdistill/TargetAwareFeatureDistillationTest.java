package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kd_feat loss graph: a hand-worked value, the plain reference with an adapter, and finite differences. */
class TargetAwareFeatureDistillationTest {
    private DataType saved;

    @BeforeEach void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    @Test
    void handWorkedValue() {
        // teacher feature and ψ of TargetAwareMaskTest (ψ² = 0.28125, 0.78125, 1, 0.0001/0.72), student = 0, d_S = d_T = 2:
        // L = [0.28125·(1²+0²) + 0.78125·(0²+2²) + 1·(1²+1²) + 0.0001/0.72·(1+1)] / (1·2·1·4) = 0.6758159722...
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, DataType.DOUBLE, 1);
        SDVariable student = sd.var("student_0", Nd4j.zeros(DataType.DOUBLE, 1, 2, 1, 4));
        Map<String, SDVariable> losses = TargetAwareFeatureDistillation.attach(p, List.of(student), 2, 2, 1);
        assertEquals(List.of("kd_feat_0"), new ArrayList<>(losses.keySet()));
        double max = 1.2 / Math.sqrt(2);
        INDArray psi = Nd4j.createFromArray(new double[][][][]{{{{0.45 / max, 0.75 / max, 1.0, 0.01 / max}}}});
        Map<String, INDArray> feeds = Map.of(TargetAwareFeatureDistillation.teacherFeature(0), TargetAwareMaskTest.handFeature(),
                TargetAwareFeatureDistillation.psi(0, 0), psi);
        double value = sd.output(feeds, "kd_feat_0").get("kd_feat_0").getDouble(0);
        assertEquals(0.67581597222, value, 1e-10);
        assertEquals((0.28125 + 0.78125 * 4 + 2 + 0.0001 / 0.72 * 2) / 8, value, 1e-14);
        assertTrue(CentralDifference.trainable(sd).equals(List.of("student_0")), "equal widths: no adapter parameter");
    }

    /** Random 2-level, 2-stage case with an adapter (d_S 3 → d_T 4). */
    private record Case(SameDiff sd, Map<String, INDArray> feeds, List<INDArray> student, List<INDArray> teacher,
                        List<List<INDArray>> psi) {}

    private static Case randomCase() {
        Random r = new Random(5);
        SameDiff sd = SameDiff.create();
        ParamFactory p = new ParamFactory(sd, DataType.DOUBLE, 3);
        long[][] sizes = {{3, 4}, {2, 2}};
        List<INDArray> student = new ArrayList<>(), teacher = new ArrayList<>();
        List<SDVariable> vars = new ArrayList<>();
        Map<String, INDArray> feeds = new HashMap<>();
        for (int l = 0; l < 2; l++) {
            student.add(TargetAwareMaskTest.rand(r, 2, 3, sizes[l][0], sizes[l][1]));
            teacher.add(TargetAwareMaskTest.rand(r, 2, 4, sizes[l][0], sizes[l][1]));
            vars.add(sd.var("student_" + l, student.get(l)));
            feeds.put(TargetAwareFeatureDistillation.teacherFeature(l), teacher.get(l));
        }
        TargetAwareFeatureDistillation.attach(p, vars, 3, 4, 2);
        List<List<INDArray>> psi = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            List<INDArray> perLevel = new ArrayList<>();
            for (int l = 0; l < 2; l++) {
                INDArray m = Nd4j.rand(DataType.DOUBLE, 2, 1, sizes[l][0], sizes[l][1]).addi(0.01);
                perLevel.add(m);
                feeds.put(TargetAwareFeatureDistillation.psi(k, l), m);
            }
            psi.add(perLevel);
        }
        return new Case(sd, feeds, student, teacher, psi);
    }

    @Test
    void matchesThePlainReferenceWithAnAdapter() {
        Nd4j.getRandom().setSeed(7);
        Case c = randomCase();
        List<INDArray> adapted = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            INDArray w = c.sd.getArrForVarName("kd_feat.adapter." + l + ".weight");   // YXIO [1,1,3,4]
            INDArray b = c.sd.getArrForVarName("kd_feat.adapter." + l + ".bias");
            assertEquals(List.of(1L, 1L, 3L, 4L), List.of(w.size(0), w.size(1), w.size(2), w.size(3)));
            INDArray x = c.student.get(l);
            INDArray y = Nd4j.create(DataType.DOUBLE, x.size(0), 4, x.size(2), x.size(3));
            for (int i = 0; i < x.size(0); i++) for (int o = 0; o < 4; o++) for (int yy = 0; yy < x.size(2); yy++) {
                for (int xx = 0; xx < x.size(3); xx++) {
                    double s = b.getDouble(o);
                    for (int ch = 0; ch < 3; ch++) s += w.getDouble(0, 0, ch, o) * x.getDouble(i, ch, yy, xx);
                    y.putScalar(new long[]{i, o, yy, xx}, s);
                }
            }
            adapted.add(y);
        }
        Map<String, INDArray> out = c.sd.output(c.feeds, "kd_feat_0", "kd_feat_1");
        for (int k = 0; k < 2; k++) {
            List<double[][][]> psi = new ArrayList<>();
            for (INDArray m : c.psi.get(k)) {
                double[][][] a = new double[(int) m.size(0)][(int) m.size(2)][(int) m.size(3)];
                for (int i = 0; i < a.length; i++) for (int y = 0; y < a[i].length; y++) for (int x = 0; x < a[i][y].length; x++) {
                    a[i][y][x] = m.getDouble(i, 0, y, x);
                }
                psi.add(a);
            }
            double ref = TargetAwareMaskReference.stageLoss(psi, c.teacher, adapted);
            assertEquals(ref, out.get("kd_feat_" + k).getDouble(0), 1e-12 * Math.max(1, ref), "stage " + k);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Nd4j.getRandom().setSeed(9);
        Case c = randomCase();
        SDVariable total = c.sd.getVariable("kd_feat_0").add(c.sd.getVariable("kd_feat_1").mul(0.7)).rename("total");
        c.sd.setLossVariables(total.name());
        List<String> vars = CentralDifference.trainable(c.sd);
        assertEquals(java.util.Set.of("student_0", "student_1", "kd_feat.adapter.0.weight", "kd_feat.adapter.0.bias",
                "kd_feat.adapter.1.weight", "kd_feat.adapter.1.bias"), new java.util.HashSet<>(vars));
        var bad = CentralDifference.failures(c.sd, "total", c.feeds, vars, 6, 1e-6, 1e-6, 4);
        assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
        assertFalse(c.sd.calculateGradients(c.feeds, "student_1").get("student_1").amaxNumber().doubleValue() < 1e-6);
    }
}
