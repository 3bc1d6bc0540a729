package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.position.PaddingMasks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DeformableDetr} structure: the {@link DetectorNames} contract with shapes on the tiny preset and a padded
 * batch, per-image independence, the Java geometry feeds, shared vs per-stage heads and their initialisation,
 * box-refinement references, level counts, presets and fail-fast options.
 */
class DeformableDetrTest {
    private static DataType saved;

    @BeforeAll static void floats() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    private static DetectorConfig small(boolean refine, int levels) {
        return DetectorConfig.builder(Variant.DEFORMABLE_DETR).backbone(BackboneConfig.preset("tiny")).numClasses(3)
                .numQueries(5).hiddenDim(32).heads(4).encoderLayers(1).decoderLayers(2).ffnDim(32).inputSize(64, 64)
                .deformable(new DeformableOptions(levels, 2, 2, refine, false, 8)).build();
    }

    private static String[] allNames(DetectorConfig c) {
        List<String> n = new ArrayList<>(List.of(DetectorNames.LOGITS, DetectorNames.BOXES, DetectorNames.MEMORY,
                DetectorNames.QUERY_EMBED, DetectorNames.INIT_REFERENCE));
        for (int k = 0; k < c.decoderLayers(); k++) {
            n.addAll(List.of(DetectorNames.stageLogits(k), DetectorNames.stageBoxes(k), DetectorNames.stageHidden(k),
                    DetectorNames.stageReference(k)));
        }
        for (int l = 0; l < c.deformable().numLevels(); l++) n.add(DetectorNames.feature(l));
        return n.toArray(new String[0]);
    }

    @Test
    void tinyPresetExposesTheContractOnAPaddedBatch() {
        DetectorConfig c = DetectorPresets.get("deformable_detr_tiny");
        DetectorGraph det = Detectors.build(c, DataType.FLOAT, 3);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 128, 128).subi(0.5).muli(4);
        INDArray mask = PaddingMasks.imageMask(new int[]{128, 96}, new int[]{128, 80}, 128, 128).castTo(DataType.FLOAT);
        images.muli(mask.rsub(1.0).reshape(2, 1, 128, 128));
        DetectorOutputs out = det.forward(images, mask, allNames(c));
        int q = 50, cls = 91;
        assertArrayEquals(new long[]{2, q, cls}, out.logits().shape());
        assertArrayEquals(new long[]{2, q, 4}, out.boxes().shape());
        assertArrayEquals(new long[]{2, 16 * 16 + 8 * 8 + 4 * 4 + 2 * 2, 64}, out.get(DetectorNames.MEMORY).shape());
        assertArrayEquals(new long[]{q, 128}, out.get(DetectorNames.QUERY_EMBED).shape());
        assertArrayEquals(new long[]{2, q, 2}, out.get(DetectorNames.INIT_REFERENCE).shape());
        int[] sizes = {16, 8, 4, 2};
        for (int l = 0; l < 4; l++) assertArrayEquals(new long[]{2, 64, sizes[l], sizes[l]}, out.get(DetectorNames.feature(l)).shape());
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(new long[]{2, q, 64}, out.stageHidden(k).shape());
            assertEquals(out.get(DetectorNames.INIT_REFERENCE), out.get(DetectorNames.stageReference(k)), "shared reference points");
        }
        INDArray boxes = out.boxes();
        assertTrue(boxes.minNumber().doubleValue() > 0 && boxes.maxNumber().doubleValue() < 1, "sigmoid boxes");
        // initial box size: sigmoid(-2) from the bbox_embed bias init, the last layer being zero
        assertEquals(1 / (1 + Math.exp(2)), out.stageBoxes(0).getDouble(0, 0, 2), 1e-6);

        // the Java geometry: level 0 is 16x16; the padded image keeps 96/8 = 12 rows and 80/8 = 10 columns
        Map<String, INDArray> feeds = det.feeds(images, mask);
        INDArray ratios = feeds.get(DeformableDetr.VALID_RATIOS);
        assertArrayEquals(new long[]{2, 4, 2}, ratios.shape());
        assertEquals(1.0, ratios.getDouble(0, 0, 0));
        assertEquals(10 / 16.0, ratios.getDouble(1, 0, 0), 1e-7);
        assertEquals(12 / 16.0, ratios.getDouble(1, 0, 1), 1e-7);
        assertArrayEquals(new long[]{2, 340, 4, 2}, feeds.get(DeformableDetr.ENCODER_REFERENCE_POINTS).shape());

        // each image is processed on its own: the padded image alone gives the same outputs
        INDArray one = images.get(NDArrayIndex.interval(1, 2)).dup();
        DetectorOutputs alone = det.forward(one, mask.get(NDArrayIndex.interval(1, 2)).dup(), DetectorNames.LOGITS, DetectorNames.BOXES);
        assertTrue(alone.logits().sub(out.logits().get(NDArrayIndex.interval(1, 2))).amaxNumber().doubleValue() < 1e-4);
        assertTrue(alone.boxes().sub(boxes.get(NDArrayIndex.interval(1, 2))).amaxNumber().doubleValue() < 1e-5);
        // and the padding matters: the same pixels unmasked give different outputs
        DetectorOutputs unmasked = det.forward(one, Nd4j.zeros(DataType.FLOAT, 1, 128, 128), DetectorNames.LOGITS);
        assertTrue(unmasked.logits().sub(alone.logits()).amaxNumber().doubleValue() > 1e-4);
    }

    @Test
    void sharedHeadsHaveOneParameterSet() {
        DetectorGraph det = Detectors.build(small(false, 3), DataType.FLOAT, 1);
        var sd = det.sameDiff();
        assertTrue(sd.hasVariable("class_embed.0.weight") && sd.hasVariable("bbox_embed.0.layers.2.bias"));
        assertFalse(sd.hasVariable("class_embed.1.weight") || sd.hasVariable("bbox_embed.1.layers.0.weight"));
        assertArrayEquals(new float[]{0, 0, -2, -2}, sd.getVariable("bbox_embed.0.layers.2.bias").getArr().toFloatVector());
        assertEquals(-Math.log(99), sd.getVariable("class_embed.0.bias").getArr().getDouble(0), 1e-6);
        assertTrue(sd.hasVariable("input_proj.2.1.weight") && !sd.hasVariable("input_proj.3.0.weight"));
        assertTrue(sd.hasVariable("transformer.level_embed") && sd.hasVariable("transformer.reference_points.weight"));
    }

    @Test
    void boxRefinementHasPerStageHeadsAndDetachedBoxReferences() {
        DetectorConfig c = small(true, 3);
        DetectorGraph det = Detectors.build(c, DataType.FLOAT, 1);
        var sd = det.sameDiff();
        // per-stage heads start as clones; only bbox_embed.0 gets the (w, h) bias -2, as the reference
        assertEquals(sd.getVariable("class_embed.0.weight").getArr(), sd.getVariable("class_embed.1.weight").getArr());
        assertEquals(sd.getVariable("bbox_embed.0.layers.0.weight").getArr(), sd.getVariable("bbox_embed.1.layers.0.weight").getArr());
        assertArrayEquals(new float[]{0, 0, -2, -2}, sd.getVariable("bbox_embed.0.layers.2.bias").getArr().toFloatVector());
        assertArrayEquals(new float[]{0, 0, 0, 0}, sd.getVariable("bbox_embed.1.layers.2.bias").getArr().toFloatVector());
        // give the heads non-zero last layers so that the refinement moves the boxes
        sd.getVariable("bbox_embed.0.layers.2.weight").setArray(Nd4j.rand(DataType.FLOAT, 4, 32).subi(0.5));
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64);
        DetectorOutputs out = det.forward(images, Nd4j.zeros(DataType.FLOAT, 2, 64, 64), allNames(c));
        assertArrayEquals(new long[]{2, 5, 2}, out.get(DetectorNames.stageReference(0)).shape());
        assertEquals(out.get(DetectorNames.INIT_REFERENCE), out.get(DetectorNames.stageReference(0)));
        // stage 1 samples around stage 0's boxes
        assertEquals(out.stageBoxes(0), out.get(DetectorNames.stageReference(1)));
        assertArrayEquals(new long[]{2, 5, 4}, out.get(DetectorNames.stageReference(1)).shape());
    }

    @Test
    void levelCountsFromOneToFive() {
        for (int levels : new int[]{1, 2, 5}) {
            DetectorConfig c = small(false, levels).toBuilder().inputSize(128, 96).build();
            DetectorGraph det = Detectors.build(c, DataType.FLOAT, 1);
            DetectorOutputs out = det.forward(Nd4j.rand(DataType.FLOAT, 1, 3, 128, 96), Nd4j.zeros(DataType.FLOAT, 1, 128, 96),
                    allNames(c));
            // 1 level: C5 (4x3); 2: C4, C5; 5: C3..C5 plus two 3x3/2 levels
            long[][] expected = levels == 1 ? new long[][]{{4, 3}} : levels == 2 ? new long[][]{{8, 6}, {4, 3}}
                    : new long[][]{{16, 12}, {8, 6}, {4, 3}, {2, 2}, {1, 1}};
            long s = 0;
            for (int l = 0; l < levels; l++) {
                INDArray f = out.get(DetectorNames.feature(l));
                assertEquals(expected[l][0], f.size(2), "level " + l + " of " + levels);
                assertEquals(expected[l][1], f.size(3), "level " + l + " of " + levels);
                s += expected[l][0] * expected[l][1];
            }
            assertEquals(s, out.get(DetectorNames.MEMORY).size(1));
            assertFalse(out.logits().isNaN().any() || out.logits().isInfinite().any(), "finite logits");
        }
    }

    @Test
    void presetsAndFailFastOptions() {
        DetectorConfig r50 = DetectorPresets.get("deformable_detr_r50");
        assertEquals(256, r50.hiddenDim());
        assertEquals(300, r50.numQueries());
        assertEquals(1024, r50.ffnDim());
        assertEquals(800, r50.inputHeight());
        assertEquals(1333, r50.inputWidth());
        assertEquals(DeformableOptions.defaults(), r50.deformable());
        assertEquals(r50, DetectorConfig.fromJson(r50.toJson(), "r50"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> DetectorPresets.get("deformable"));
        assertTrue(unknown.getMessage().contains("deformable_detr_tiny"), unknown.getMessage());

        DetectorConfig twoStage = small(false, 3).toBuilder().deformable(new DeformableOptions(3, 2, 2, false, true, 8)).build();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Detectors.build(twoStage, DataType.FLOAT, 1));
        assertTrue(e.getMessage().contains("twoStage"), e.getMessage());
        DetectorConfig badGroups = small(false, 3).toBuilder().deformable(new DeformableOptions(3, 2, 2, false, false, 5)).build();
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> Detectors.build(badGroups, DataType.FLOAT, 1));
        assertTrue(g.getMessage().contains("groupNormGroups 5"), g.getMessage());
    }
}
