package org.detrdistill.core.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * C2..C5 of {@link ResNetBackbone} against torchvision ResNets with frozen BN (fixtures/backbone, produced by
 * tools/fixtures/make_backbone_fixture.py), weights loaded by state_dict name, in DOUBLE and FLOAT.
 */
class ResNetBackboneParityTest {

    static BackboneConfig configOf(JsonNode c) {
        List<Integer> depths = new ArrayList<>(), widths = new ArrayList<>();
        c.path("depths").forEach(n -> depths.add(n.asInt()));
        c.path("widths").forEach(n -> widths.add(n.asInt()));
        return BackboneConfig.builder()
                .block(c.path("block").asText().equals("basic") ? BlockType.BASIC : BlockType.BOTTLENECK)
                .depths(depths).widths(widths).stemWidth(c.path("stem_width").asInt())
                .dilateC5(c.path("dilate_c5").asBoolean()).prefix(c.path("state_dict_prefix").asText())
                .bnEps(c.path("frozen_bn_eps").asDouble()).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "basic_1111_w16_stem16, DOUBLE", "basic_1111_w16_stem16, FLOAT",
            "basic_2112_w8_stem8, DOUBLE", "basic_2112_w8_stem8, FLOAT",
            "bottleneck_1212_w8_stem16, DOUBLE", "bottleneck_1212_w8_stem16, FLOAT",
            "bottleneck_1212_w8_stem16_dc5, DOUBLE", "bottleneck_1212_w8_stem16_dc5, FLOAT"})
    void matchesTorchvision(String caseName, DataType type) {
        Fixture f = Fixture.load("backbone", caseName);
        BackboneConfig cfg = configOf(f.config());
        SameDiff sd = SameDiff.create();
        SDVariable images = sd.placeHolder("images", type, -1, 3, -1, -1);
        ResNetBackbone bb = ResNetBackbone.build(sd, images, cfg, 7);

        // channels and strides reported by the builder match the fixture
        int[] ch = cfg.outChannels(), st = cfg.strides();
        for (int i = 0; i < 4; i++) {
            assertEquals(f.config().path("out_channels").get(i).asInt(), ch[i]);
            assertEquals(f.config().path("strides").get(i).asInt(), st[i]);
            assertEquals(ch[i], bb.levels().get(i).channels());
            assertEquals(st[i], bb.levels().get(i).stride());
        }

        Map<String, INDArray> stateDict = StateDict.readNpyFolder(f.dir().resolve("state_dict")).asMap();
        Set<String> used = bb.loadStateDict(stateDict);
        assertEquals(stateDict.keySet(), new HashSet<>(used), "every fixture tensor is used and nothing else");

        INDArray x = f.npy("input", type);
        List<String> names = bb.levels().stream().map(FeatureLevel::variableName).toList();
        Map<String, INDArray> out = sd.output(Map.of("images", x), names.toArray(new String[0]));
        double tol = type == DataType.DOUBLE ? 1e-9 : 1e-4;
        for (int i = 0; i < 4; i++) {
            INDArray expected = f.npy("c" + (i + 2));
            INDArray actual = out.get(names.get(i));
            assertEquals(type, actual.dataType());
            assertArrayEquals(expected.shape(), actual.shape(), names.get(i));
            assertEquals(expected.shape()[2], bb.levels().get(i).outputSize(x.size(2)), "height of " + names.get(i));
            assertEquals(expected.shape()[3], bb.levels().get(i).outputSize(x.size(3)), "width of " + names.get(i));
            double diff = maxAbsDiff(expected, actual);
            System.out.printf("%s %s %s max|diff| = %.3e (max|ref| %.3f)%n", caseName, type, names.get(i), diff,
                    expected.amaxNumber().doubleValue());
            assertTrue(diff <= tol, caseName + " " + type + " " + names.get(i) + ": max|diff| " + diff + " > " + tol);
        }
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)), false).maxNumber().doubleValue();
    }
}
