package org.detrdistill.core.backbone;

import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Double-precision central-difference check of the backbone gradient (w.r.t. conv weights of every stage, the
 * downsample branch and the input images) on very small ResNets, with non-trivial frozen-BN statistics loaded.
 */
class ResNetBackboneGradientTest {
    private static final long SEED = Long.getLong("gradtest.seed", 1);
    private static DataType savedType, savedFloat;

    @BeforeAll static void doubles() {
        savedType = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(savedType, savedFloat); }

    static BackboneConfig tiny(String kind) {
        BackboneConfig.Builder b = BackboneConfig.builder().trainAll().prefix("bb.");
        return switch (kind) {
            case "basic" -> b.block(BlockType.BASIC).depths(1, 1, 1, 1).widths(3, 4, 6, 8).stemWidth(3).build();
            case "bottleneck_dc5" -> b.block(BlockType.BOTTLENECK).depths(1, 1, 1, 2).widths(2, 3, 3, 4).stemWidth(4)
                    .dilateC5(true).build();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic", "bottleneck_dc5"})
    void gradientMatchesCentralDifference(String kind) {
        Nd4j.getRandom().setSeed(SEED + kind.length());
        BackboneConfig cfg = tiny(kind);
        SameDiff sd = SameDiff.create();
        SDVariable images = sd.placeHolder("images", DataType.DOUBLE, -1, 3, -1, -1);
        ResNetBackbone bb = ResNetBackbone.build(sd, images, cfg, 3);
        Random rng = new Random(5);
        // random frozen-BN statistics so that scale/shift are not trivial
        Map<String, INDArray> sdict = new java.util.HashMap<>();
        for (String bn : bb.frozenBatchNorms()) {
            long c = sd.getVariable(bn + FrozenBatchNorm.SCALE).getArr().length();
            sdict.put(bn + ".weight", uniform(rng, c, 0.5, 1.5));
            sdict.put(bn + ".bias", uniform(rng, c, -0.2, 0.2));
            sdict.put(bn + ".running_mean", uniform(rng, c, -0.2, 0.2));
            sdict.put(bn + ".running_var", uniform(rng, c, 0.5, 2.0));
        }
        for (String w : bb.convWeights()) {
            long[] s = sd.getVariable(w).getArr().shape(); // YXIO
            sdict.put(w, Nd4j.randn(DataType.DOUBLE, s[3], s[2], s[0], s[1]).muli(Math.sqrt(2.0 / (s[0] * s[1] * s[3]))));
        }
        bb.loadStateDict(sdict);

        // loss = sum over levels of sum(C_l * R_l), R_l fixed random weights
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 3, 41, 37).subi(0.5).muli(4);
        Map<String, INDArray> ph = Map.of("images", x);
        Map<String, INDArray> shapes = sd.output(ph, bb.levels().stream().map(FeatureLevel::variableName).toArray(String[]::new));
        SDVariable loss = null;
        for (FeatureLevel l : bb.levels()) {
            INDArray r = Nd4j.randn(DataType.DOUBLE, shapes.get(l.variableName()).shape());
            SDVariable term = l.output().mul(sd.constant(l.name() + "_weights", r)).sum();
            loss = loss == null ? term : loss.add(term);
        }
        loss.rename("loss");
        sd.setLossVariables("loss");

        List<String> checkedNames = new ArrayList<>(List.of("images", "bb.conv1.weight", "bb.layer1.0.conv1.weight",
                "bb.layer2.0.downsample.0.weight", "bb.layer4.0.conv1.weight"));
        checkedNames.add(kind.equals("basic") ? "bb.layer3.0.conv2.weight" : "bb.layer4.1.conv2.weight"); // dilated 3x3
        for (String name : checkedNames) {
            long t0 = System.nanoTime();
            CentralDifference.Result r = CentralDifference.check(sd, "loss", ph, name, 6, 1e-5, 11);
            System.out.printf("%s %s (%.2f s)%n", kind, r, (System.nanoTime() - t0) / 1e9);
            assertTrue(r.maxAbsGradient() > 1e-6, name + ": gradient is (near) zero, the check would be vacuous");
            assertTrue(r.maxRelError() < 1e-5, kind + " " + r);
        }
    }

    private static INDArray uniform(Random rng, long n, double lo, double hi) {
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextDouble();
        return Nd4j.createFromArray(v);
    }
}
