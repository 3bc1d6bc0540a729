package org.detrdistill.core.backbone;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Structure of built backbones: names, parameter counts, freezing, outputs, and loading errors. */
class ResNetBackboneTest {

    private static ResNetBackbone build(BackboneConfig c, DataType t) {
        SameDiff sd = SameDiff.create();
        return ResNetBackbone.build(sd, sd.placeHolder("images", t, -1, 3, -1, -1), c, 1);
    }

    private static long convParams(ResNetBackbone bb) {
        long n = 0;
        for (String w : bb.convWeights()) n += bb.sameDiff().getVariable(w).getArr().length();
        return n;
    }

    @Test void parameterCountsAndKeysMatchTorchvision() {
        // conv-weight element counts and state_dict sizes (fc excluded, num_batches_tracked excluded) of
        // torchvision 0.14 resnet18/resnet50
        ResNetBackbone r18 = build(BackboneConfig.preset("resnet18"), DataType.FLOAT);
        assertEquals(11_166_912L, convParams(r18));
        assertEquals(100, r18.stateDictKeys().size());
        ResNetBackbone r50 = build(BackboneConfig.preset("resnet50"), DataType.FLOAT);
        assertEquals(23_454_912L, convParams(r50));
        assertEquals(265, r50.stateDictKeys().size());
        assertTrue(r50.stateDictKeys().contains("backbone.0.body.layer4.2.bn3.running_var"));
        assertTrue(r50.convWeights().contains("backbone.0.body.layer3.0.downsample.0.weight"));
        assertArrayEquals(new long[] {1, 1, 1024, 2048},
                r50.sameDiff().getVariable("backbone.0.body.layer4.0.downsample.0.weight").getArr().shape(), "YXIO");
    }

    @Test void frozenStagesAreConstants() {
        ResNetBackbone detr = build(BackboneConfig.preset("tiny"), DataType.FLOAT); // frozenStages 1
        SameDiff sd = detr.sameDiff();
        for (String w : detr.convWeights()) {
            boolean frozen = w.contains(".conv1.weight") && !w.contains("layer") || w.contains("layer1.");
            assertEquals(frozen ? VariableType.CONSTANT : VariableType.VARIABLE, sd.getVariable(w).getVariableType(), w);
            assertEquals(!frozen, detr.trainableWeights().contains(w), w);
        }
        for (String bn : detr.frozenBatchNorms()) {
            assertEquals(VariableType.CONSTANT, sd.getVariable(bn + FrozenBatchNorm.SCALE).getVariableType(), bn);
        }
        ResNetBackbone all = build(BackboneConfig.preset("tiny").toBuilder().trainAll().build(), DataType.FLOAT);
        assertEquals(all.convWeights(), all.trainableWeights());
        ResNetBackbone none = build(BackboneConfig.preset("tiny").toBuilder().frozenStages(4).build(), DataType.FLOAT);
        assertTrue(none.trainableWeights().isEmpty());
    }

    @Test void outputsAreNamedWithShapesAndStrides() {
        BackboneConfig c = BackboneConfig.preset("resnet18").toBuilder().prefix("student.").build();
        ResNetBackbone bb = build(c, DataType.FLOAT);
        List<String> names = bb.levels().stream().map(FeatureLevel::variableName).toList();
        assertEquals(List.of("student.C2", "student.C3", "student.C4", "student.C5"), names);
        assertEquals("student.C5", bb.c5().name());
        assertEquals(bb.level("C3"), bb.levels().get(1));
        assertThrows(IllegalArgumentException.class, () -> bb.level("C6"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 50, 67);
        Map<String, INDArray> out = bb.sameDiff().output(Map.of("images", x), names.toArray(new String[0]));
        int[] ch = {64, 128, 256, 512};
        for (int i = 0; i < 4; i++) {
            FeatureLevel l = bb.levels().get(i);
            assertEquals(ch[i], l.channels());
            long[] s = out.get(names.get(i)).shape();
            assertArrayEquals(new long[] {1, ch[i], l.outputSize(50), l.outputSize(67)}, s, l.name());
        }
        assertArrayEquals(new long[] {1, 512, 2, 3}, out.get("student.C5").shape());
    }

    @Test void loadStateDictReportsMissingKeysAndBadShapes() {
        ResNetBackbone bb = build(BackboneConfig.preset("tiny"), DataType.DOUBLE);
        Map<String, INDArray> sdict = new HashMap<>();
        for (String k : bb.stateDictKeys()) {
            if (bb.convWeights().contains(k)) {
                long[] yxio = bb.sameDiff().getVariable(k).getArr().shape();
                sdict.put(k, Nd4j.rand(DataType.FLOAT, yxio[3], yxio[2], yxio[0], yxio[1]));
            } else {
                sdict.put(k, Nd4j.rand(DataType.FLOAT, bb.sameDiff().getVariable(k.substring(0, k.lastIndexOf('.'))
                        + FrozenBatchNorm.SCALE).getArr().length()).addi(0.5));
            }
        }
        Map<String, INDArray> missing = new HashMap<>(sdict);
        missing.remove("backbone.0.body.layer2.0.bn1.running_var");
        missing.remove("backbone.0.body.conv1.weight");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bb.loadStateDict(missing));
        assertTrue(e.getMessage().contains("backbone.0.body.layer2.0.bn1.running_var")
                && e.getMessage().contains("backbone.0.body.conv1.weight"), e.getMessage());

        Map<String, INDArray> badShape = new HashMap<>(sdict);
        badShape.put("backbone.0.body.layer3.0.conv2.weight", Nd4j.rand(DataType.FLOAT, 3, 3, 64, 64));
        e = assertThrows(IllegalArgumentException.class, () -> bb.loadStateDict(badShape));
        assertTrue(e.getMessage().contains("backbone.0.body.layer3.0.conv2.weight"), e.getMessage());

        Map<String, INDArray> extra = new HashMap<>(sdict);
        extra.put("transformer.decoder.norm.weight", Nd4j.ones(4));
        extra.put("backbone.0.body.bn1.num_batches_tracked", Nd4j.scalar(0L));
        assertEquals(sdict.size() + 1, bb.loadStateDict(extra).size(), "decoder key ignored, num_batches_tracked used");
        INDArray w = sdict.get("backbone.0.body.layer2.0.conv1.weight");
        INDArray loaded = bb.sameDiff().getVariable("backbone.0.body.layer2.0.conv1.weight").getArr();
        assertEquals(DataType.DOUBLE, loaded.dataType());
        assertEquals(w.getDouble(5, 7, 2, 1), loaded.getDouble(2, 1, 7, 5), 0.0, "(O,I,kh,kw) -> (kh,kw,I,O)");
    }

    @Test void rejectsNonImageInput() {
        SameDiff sd = SameDiff.create();
        SDVariable ints = sd.placeHolder("x", DataType.INT, -1, 3, 8, 8);
        assertThrows(IllegalArgumentException.class, () -> ResNetBackbone.build(sd, ints, BackboneConfig.preset("tiny"), 0));
        SDVariable gray = sd.placeHolder("g", DataType.FLOAT, -1, 1, 8, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResNetBackbone.build(sd, gray, BackboneConfig.preset("tiny"), 0));
        assertTrue(e.getMessage().contains(Arrays.toString(new long[] {-1, 1, 8, 8})), e.getMessage());
    }
}
