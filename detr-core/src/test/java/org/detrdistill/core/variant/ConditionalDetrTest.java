package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.model.DetrBuilder;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.position.PositionEmbeddingSine;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Structure of the Conditional DETR graph: named outputs, shapes, initial heads, factory and presets. */
class ConditionalDetrTest {

    static DetectorConfig small() {
        return DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny"))
                .hiddenDim(16).heads(2).encoderLayers(1).decoderLayers(2).ffnDim(24).numQueries(5).numClasses(3).inputSize(64, 96).build();
    }

    @Test
    void exposesEveryNamedOutput() {
        DetectorGraph det = Detectors.build(small(), DataType.FLOAT, 3);
        Nd4j.getRandom().setSeed(5);
        INDArray images = Nd4j.randn(DataType.FLOAT, 2, 3, 64, 96);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 2, 64, 96);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(64, 96)).assign(1);   // image 1 is 64x64
        List<String> names = new ArrayList<>(List.of(DetectorNames.LOGITS, DetectorNames.BOXES, DetectorNames.feature(0),
                DetectorNames.MEMORY, DetectorNames.QUERY_EMBED, DetectorNames.INIT_REFERENCE));
        for (int k = 0; k < 2; k++) {
            names.addAll(List.of(DetectorNames.stageLogits(k), DetectorNames.stageBoxes(k), DetectorNames.stageHidden(k),
                    DetectorNames.stageReference(k)));
        }
        DetectorOutputs out = det.forward(images, mask, names.toArray(new String[0]));
        assertArrayEquals(new long[]{2, 5, 3}, out.logits().shape());
        assertArrayEquals(new long[]{2, 5, 4}, out.boxes().shape());
        assertArrayEquals(new long[]{2, 16, 2, 3}, out.get(DetectorNames.feature(0)).shape());
        assertArrayEquals(new long[]{2, 6, 16}, out.get(DetectorNames.MEMORY).shape());
        assertArrayEquals(new long[]{5, 16}, out.get(DetectorNames.QUERY_EMBED).shape());
        INDArray ref = out.get(DetectorNames.INIT_REFERENCE);
        assertArrayEquals(new long[]{2, 5, 2}, ref.shape());
        assertEquals(ref.get(NDArrayIndex.point(0)), ref.get(NDArrayIndex.point(1)), "the reference depends on the queries only");
        double prior = -Math.log((1 - DetrBuilder.PRIOR_PROB) / DetrBuilder.PRIOR_PROB);
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(new long[]{2, 5, 16}, out.stageHidden(k).shape());
            assertEquals(ref, out.get(DetectorNames.stageReference(k)));
            // untrained heads: bbox_embed's last layer is zero, so boxes = sigmoid([logit(ref), 0, 0]) = [ref, 0.5, 0.5]
            INDArray boxes = out.stageBoxes(k);
            assertTrue(boxes.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2))
                    .equalsWithEps(ref, 1e-5), "box centres = reference points at stage " + k);
            assertEquals(0.5, boxes.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 4))
                    .maxNumber().doubleValue(), 1e-6);
            // class_embed's bias starts at the focal prior; logits differ per stage through the hidden states
            assertEquals(prior, det.sameDiff().getVariable("class_embed.bias").getArr().getDouble(0), 1e-6);
        }
        assertEquals(out.stageLogits(1), out.logits(), "final = last stage");
        assertNotEquals(out.stageLogits(0), out.stageLogits(1));
        assertNotEquals(out.stageHidden(0).get(NDArrayIndex.point(0)), out.stageHidden(0).get(NDArrayIndex.point(1)),
                "images see their own features");
    }

    @Test
    void positionEncodingIsDetrSineWithoutOffset() {
        var det = Detectors.build(small().toBuilder().inputSize(96, 128).build(), DataType.FLOAT, 3);
        INDArray fed = det.feeds(Nd4j.zeros(DataType.FLOAT, 1, 3, 96, 128), Nd4j.zeros(DataType.FLOAT, 1, 96, 128))
                .get(DetectorNames.level(0) + "pos");
        assertArrayEquals(new long[]{1, 16, 3, 4}, fed.shape());
        assertTrue(fed.equalsWithEps(PositionEmbeddingSine.detr(8).embed(Nd4j.zeros(DataType.FLOAT, 1, 3, 4), DataType.FLOAT), 1e-6));
        // normalised without offset: the last column encodes x = 4/(4 + 1e-6)·2π, sin(x / dim_t[0]) ≈ 0
        // (Deformable DETR's −0.5 offset would give sin(3.5/4·2π) = −0.71)
        assertEquals(0.0, fed.getDouble(0, 8, 0, 3), 1e-5);
        assertEquals(Math.sin(2 * Math.PI / 4), fed.getDouble(0, 8, 0, 0), 1e-5);
    }

    @Test
    void sameSeedSameParameters() {
        var a = Detectors.build(small(), DataType.FLOAT, 9).sameDiff();
        var b = Detectors.build(small(), DataType.FLOAT, 9).sameDiff();
        var c = Detectors.build(small(), DataType.FLOAT, 10).sameDiff();
        for (String name : List.of("query_embed.weight", "transformer.decoder.layers.1.ca_qpos_sine_proj.weight",
                "transformer.decoder.ref_point_head.layers.0.weight", "bbox_embed.layers.0.weight")) {
            assertEquals(a.getVariable(name).getArr(), b.getVariable(name).getArr(), name);
            assertNotEquals(a.getVariable(name).getArr(), c.getVariable(name).getArr(), name);
        }
        assertFalse(a.hasVariable("transformer.decoder.layers.1.ca_qpos_proj.weight"), "ca_qpos_proj only in the first layer");
    }

    @Test
    void builderRejectsOtherVariants() {   // the factory builds every variant now (adamixer merged)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConditionalDetr(DetectorConfig.builder(Variant.ADAMIXER).build()));
        assertTrue(e.getMessage().contains("adamixer"), e.getMessage());
    }

    @Test
    void presets() {
        assertEquals(List.of("conditional_detr_r50", "conditional_detr_tiny", "deformable_detr_r50", "deformable_detr_tiny",
                "adamixer_r50", "adamixer_tiny"), DetectorPresets.names());
        DetectorConfig r50 = DetectorPresets.get("conditional_detr_r50");
        assertEquals(BackboneConfig.preset("resnet50"), r50.backbone());
        assertEquals(List.of(256, 8, 6, 6, 2048, 300, 91), List.of(r50.hiddenDim(), r50.heads(), r50.encoderLayers(),
                r50.decoderLayers(), r50.ffnDim(), r50.numQueries(), r50.numClasses()));
        DetectorConfig tiny = DetectorPresets.get("conditional_detr_tiny");
        assertEquals(BackboneConfig.preset("tiny"), tiny.backbone());
        assertEquals(64, tiny.hiddenDim());
        assertEquals(List.of(128, 128, 800, 1333), List.of(tiny.inputHeight(), tiny.inputWidth(), r50.inputHeight(), r50.inputWidth()));
        assertEquals(tiny, DetectorConfig.fromJson(tiny.toJson(), "tiny.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectorPresets.get("conditional_detr_r18"));
        assertTrue(e.getMessage().contains("conditional_detr_r18") && e.getMessage().contains("conditional_detr_r50, conditional_detr_tiny"),
                e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                () -> DetectorConfig.builder(Variant.CONDITIONAL_DETR).hiddenDim(18).heads(2).build());
        assertTrue(d.getMessage().contains("divisible by 4"), d.getMessage());
    }
}
