package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.matcher.Assignment;
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

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kd_relation: InfoNCE by hand, projection + InfoNCE against plain Java, finite differences, pair stacking. */
class QueryRelationDistillationTest {
    private DataType saved;

    @BeforeEach void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    private static double infoNce(double[][] anchors, double[][] positives, double tau) {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.var("a", Nd4j.createFromArray(anchors)), p = sd.var("p", Nd4j.createFromArray(positives));
        SDVariable loss = QueryRelationDistillation.infoNce(sd, a, p, tau).rename("loss");
        return sd.output(Map.of(), "loss").get("loss").getDouble(0);
    }

    @Test
    void infoNceByHand() {
        // identity pairs, τ = 1: every row has logits (1, 0) with label 0 -> log(1 + e^-1)
        assertEquals(0.31326168751822286, infoNce(new double[][]{{1, 0}, {0, 1}}, new double[][]{{1, 0}, {0, 1}}, 1), 1e-14);
        // τ = 0.5, anchors I, positives (0.6,0.8), (1,0): logits rows (1.2, 2) label 0 and (1.6, 0) label 1
        // row 0: log(e^1.2 + e^2) − 1.2 = 1.1711006659477776; row 1: log(e^1.6 + 1) − 0 = 1.7838996474341434
        double expected = (Math.log(Math.exp(1.2) + Math.exp(2)) - 1.2 + Math.log(Math.exp(1.6) + 1)) / 2;
        assertEquals(1.4775007, expected, 1e-7);   // by hand: (1.171101 + 1.783901) / 2
        assertEquals(expected, infoNce(new double[][]{{1, 0}, {0, 1}}, new double[][]{{0.6, 0.8}, {1, 0}}, 0.5), 1e-14);
    }

    private record Graph(SameDiff sd, Map<String, INDArray> feeds, INDArray hidden, int[] index, INDArray teacher) {}

    private static Graph graph() {
        Random r = new Random(3);
        SameDiff sd = SameDiff.create();
        ParamFactory params = new ParamFactory(sd, DataType.DOUBLE, 12);
        ProjectionHead sh = new ProjectionHead(params, "kd_relation.student", 4, 6);
        ProjectionHead th = new ProjectionHead(params, "kd_relation.teacher", 5, 6);
        INDArray hidden = TargetAwareMaskTest.rand(r, 2, 3, 4);
        SDVariable h = sd.var("student_hidden", hidden);
        QueryRelationDistillation.stageLoss(sd, 0, h, sh, th, DataType.DOUBLE, 0.07, 0.2);
        int[] index = {0, 2, 4, 5};   // image 0 queries 0, 2; image 1 queries 1, 2
        INDArray teacher = TargetAwareMaskTest.rand(r, 4, 5);
        Map<String, INDArray> feeds = Map.of(QueryRelationDistillation.studentIndex(0), Nd4j.createFromArray(index),
                QueryRelationDistillation.teacherHidden(0), teacher);
        return new Graph(sd, feeds, hidden, index, teacher);
    }

    @Test
    void matchesPlainJava() {
        Graph g = graph();
        double got = g.sd.output(g.feeds, "kd_relation_0").get("kd_relation_0").getDouble(0);
        double[][] s = new double[4][];
        for (int i = 0; i < 4; i++) s[i] = g.hidden.reshape(6, 4).getRow(g.index[i]).toDoubleVector();
        double[][] zs = head(g.sd, "kd_relation.student", s), zt = head(g.sd, "kd_relation.teacher", g.teacher.toDoubleMatrix());
        double loss = 0;
        for (int i = 0; i < 4; i++) {
            double[] logits = new double[4];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < 4; j++) {
                logits[j] = dot(zt[i], zs[j]) / 0.07;
                max = Math.max(max, logits[j]);
            }
            double sum = 0;
            for (double l : logits) sum += Math.exp(l - max);
            loss += max + Math.log(sum) - logits[i];
        }
        double expected = 0.2 * loss / 4;
        assertEquals(expected, got, 1e-12);
        assertTrue(expected > 0.01, "a non-trivial value: " + expected);
    }

    /** Linear → Linear → BatchNorm (batch statistics) → ReLU → Linear → L2 normalise, in plain Java. */
    private static double[][] head(SameDiff sd, String prefix, double[][] x) {
        double[][] h = linear(x, sd.getArrForVarName(prefix + ".proj.weight"), sd.getArrForVarName(prefix + ".proj.bias"));
        h = linear(h, sd.getArrForVarName(prefix + ".fc1.weight"), sd.getArrForVarName(prefix + ".fc1.bias"));
        INDArray gamma = sd.getArrForVarName(prefix + ".bn.weight"), beta = sd.getArrForVarName(prefix + ".bn.bias");
        int n = h.length, d = h[0].length;
        for (int c = 0; c < d; c++) {
            double mean = 0, var = 0;
            for (double[] row : h) mean += row[c] / n;
            for (double[] row : h) var += (row[c] - mean) * (row[c] - mean) / n;
            for (double[] row : h) {
                row[c] = Math.max(0, (row[c] - mean) / Math.sqrt(var + 1e-5) * gamma.getDouble(c) + beta.getDouble(c));
            }
        }
        h = linear(h, sd.getArrForVarName(prefix + ".fc2.weight"), sd.getArrForVarName(prefix + ".fc2.bias"));
        for (double[] row : h) {
            double norm = Math.sqrt(dot(row, row));
            for (int c = 0; c < d; c++) row[c] /= norm;
        }
        return h;
    }

    private static double[][] linear(double[][] x, INDArray w, INDArray b) {
        double[][] y = new double[x.length][(int) w.size(0)];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < w.size(0); o++) {
                double s = b.getDouble(o);
                for (int c = 0; c < w.size(1); c++) s += w.getDouble(o, c) * x[i][c];
                y[i][o] = s;
            }
        }
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Graph g = graph();
        g.sd.setLossVariables("kd_relation_0");
        List<String> vars = CentralDifference.trainable(g.sd);
        assertEquals(17, vars.size(), "student hidden + 2 × 8 head parameters: " + vars);
        var bad = CentralDifference.failures(g.sd, "kd_relation_0", g.feeds, vars, 3, 1e-6, 1e-5, 8);
        assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
        INDArray gh = g.sd.calculateGradients(g.feeds, "student_hidden").get("student_hidden").reshape(6, 4);
        for (int row = 0; row < 6; row++) {
            boolean used = row == 0 || row == 2 || row == 4 || row == 5;
            assertEquals(used, gh.getRow(row).amaxNumber().doubleValue() > 0, "row " + row + " used " + used);
        }
    }

    @Test
    void pairsAreStackedImageByImage() {
        INDArray teacher = Nd4j.arange(2 * 3 * 2).reshape(2, 3, 2).castTo(DataType.DOUBLE);   // [B=2, Q_T=3, d_T=2]
        List<Assignment> a = List.of(new Assignment(new int[]{1, 3}, new int[]{2, 0}), new Assignment(new int[]{0}, new int[]{1}));
        QueryRelationDistillation.Pairs p = QueryRelationDistillation.Pairs.of(a, 4, teacher, DataType.FLOAT);
        assertArrayEquals(new int[]{1, 3, 4}, p.index());   // b·Q_S + q with Q_S = 4
        assertEquals(DataType.FLOAT, p.teacher().dataType());
        assertArrayEquals(new double[][]{{4, 5}, {0, 1}, {8, 9}}, p.teacher().castTo(DataType.DOUBLE).toDoubleMatrix());
    }
}
