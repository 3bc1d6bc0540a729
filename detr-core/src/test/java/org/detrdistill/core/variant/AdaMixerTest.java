package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.AdaMixerOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.transformer.AdaMixerDecoderStage;
import org.detrdistill.core.transformer.AdaMixerDecoderStageReference;
import org.detrdistill.core.transformer.AdaMixerStageConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AdaMixer detector: contract and shapes on a padded batch, the query generator (whole-image boxes per image,
 * layer-normed content), stage wiring against {@link AdaMixerDecoderStageReference}, box detaching between stages,
 * per-image independence, presets and fail-fast options.
 */
class AdaMixerTest {
    static final int CANVAS = 64;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** d 16, 2 heads, 2 stages, 2 groups of 4 points, 6 queries, 3 classes, canvas 64×64. */
    static DetectorConfig small(int stages) {
        return DetectorConfig.builder(Variant.ADAMIXER)
                .backbone(BackboneConfig.preset("tiny").toBuilder().prefix("backbone.").build())
                .numClasses(3).numQueries(6).hiddenDim(16).heads(2).encoderLayers(0).decoderLayers(stages).ffnDim(32)
                .inputSize(CANVAS, CANVAS).adamixer(new AdaMixerOptions(4, 2, 4, 8, 8)).build();
    }

    /** Two images: 64×64 and 40×48 (h × w) padded; random pixels, zero padding. */
    static INDArray[] batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, CANVAS, CANVAS);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, 2, CANVAS, CANVAS);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.interval(40, CANVAS), NDArrayIndex.all()).assign(1);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(48, CANVAS)).assign(1);
        images.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(40, CANVAS), NDArrayIndex.all()).assign(0);
        images.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(48, CANVAS)).assign(0);
        return new INDArray[]{images, mask};
    }

    private static List<String> allOutputs(DetectorConfig cfg) {
        List<String> names = new ArrayList<>(List.of(DetectorNames.LOGITS, DetectorNames.BOXES, DetectorNames.MEMORY,
                DetectorNames.QUERY_EMBED, DetectorNames.INIT_REFERENCE));
        for (int k = 0; k < cfg.decoderLayers(); k++) {
            names.addAll(List.of(DetectorNames.stageLogits(k), DetectorNames.stageBoxes(k), DetectorNames.stageHidden(k),
                    DetectorNames.stageReference(k)));
        }
        for (int l = 0; l < cfg.adamixer().numLevels(); l++) names.add(DetectorNames.feature(l));
        return names;
    }

    @Test
    void contractShapesAndQueryGenerator() {
        DetectorConfig cfg = small(2);
        DetectorGraph det = Detectors.build(cfg, DataType.DOUBLE, 3);
        INDArray[] b = batch(1);
        DetectorOutputs out = det.forward(b[0], b[1], allOutputs(cfg).toArray(new String[0]));
        assertArrayEquals(new long[]{2, 6, 3}, out.logits().shape());
        assertArrayEquals(new long[]{2, 6, 4}, out.boxes().shape());
        assertArrayEquals(new long[]{6, 16}, out.get(DetectorNames.QUERY_EMBED).shape());
        int[] sizes = {16, 8, 4, 2};
        long s = 0;
        for (int l = 0; l < 4; l++) {
            assertArrayEquals(new long[]{2, 16, sizes[l], sizes[l]}, out.get(DetectorNames.feature(l)).shape());
            s += (long) sizes[l] * sizes[l];
        }
        assertArrayEquals(new long[]{2, s, 16}, out.get(DetectorNames.MEMORY).shape());
        // memory = the flattened features, level 0 first, (y, x) row-major
        INDArray f1 = out.get(DetectorNames.feature(1));
        assertEquals(f1.getDouble(1, 5, 2, 3), out.get(DetectorNames.MEMORY).getDouble(1, 256 + 2 * 8 + 3, 5), 0);
        // initial boxes: the whole image, each image its own size
        INDArray init = out.get(DetectorNames.INIT_REFERENCE);
        assertEquals(0, init.sub(Nd4j.createFromArray(0.5, 0.5, 1.0, 1.0).reshape(1, 1, 4)).amaxNumber().doubleValue(), 1e-12);
        assertEquals(init, out.get(DetectorNames.stageReference(0)));
        assertEquals(out.get(DetectorNames.stageBoxes(0)), out.get(DetectorNames.stageReference(1)));
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(new long[]{2, 6, 16}, out.stageHidden(k).shape());
            assertArrayEquals(new long[]{2, 6, 4}, out.get(DetectorNames.stageReference(k)).shape());
        }
        assertEquals(out.stageLogits(1), out.logits());
        assertEquals(out.stageBoxes(1), out.boxes());
        // the reference initialisation has fc_reg = 0: stage 0 keeps the whole-image boxes
        assertEquals(init, out.stageBoxes(0));
        // image size from the pixel mask: (W, H, W, H)
        INDArray whwh = det.sameDiff().output(det.feeds(b[0], b[1]), "adamixer/image_whwh").get("adamixer/image_whwh");
        assertEquals(Nd4j.createFromArray(new double[][][]{{{64, 64, 64, 64}}, {{48, 40, 48, 40}}}), whwh);
        // reference state_dict names
        SameDiff sd = det.sameDiff();
        for (String name : List.of("backbone.conv1.weight", "neck.lateral_convs.3.conv.weight", "neck.lateral_convs.0.conv.bias",
                "neck.gn_out.weight", AdaMixer.CONTENT_EMBED, AdaMixer.PROPOSALS, "roi_head.bbox_head.1.iof_tau",
                "roi_head.bbox_head.0.sampling_n_mixing.adaptive_mixing.parameter_generator.0.weight")) {
            assertTrue(sd.hasVariable(name), name);
        }
    }

    @Test
    void stagesMatchTheReferenceOnTheDetectorsOwnFeatures() {
        DetectorConfig cfg = small(2);
        DetectorGraph det = Detectors.build(cfg, DataType.DOUBLE, 5);
        // move fc_reg off zero so that stage 1 starts from refined boxes
        SameDiff sd = det.sameDiff();
        for (int k = 0; k < 2; k++) {
            sd.getVariable("roi_head.bbox_head." + k + ".fc_reg.weight").setArray(
                    Nd4j.rand(DataType.DOUBLE, 4, 16).subi(0.5).muli(0.2));
        }
        INDArray[] b = batch(2);
        DetectorOutputs out = det.forward(b[0], b[1], allOutputs(cfg).toArray(new String[0]));
        List<INDArray> features = new ArrayList<>();
        for (int l = 0; l < 4; l++) features.add(out.get(DetectorNames.feature(l)));
        AdaMixerStageConfig stageCfg = AdaMixer.stageConfig(cfg);
        INDArray whwh = Nd4j.createFromArray(new double[][][]{{{64, 64, 64, 64}}, {{48, 40, 48, 40}}});
        // initial xyzr: centre of each image, z = log2 sqrt(wh), r = log2(h/w)
        INDArray xyzr = Nd4j.createFromArray(new double[][]{{32, 32, 6, 0}, {24, 20, Math.log(Math.sqrt(48 * 40)) / Math.log(2),
                Math.log(40.0 / 48) / Math.log(2)}}).reshape(2, 1, 4).repeat(1, 6);
        INDArray embed = out.get(DetectorNames.QUERY_EMBED);
        INDArray centred = embed.subColumnVector(embed.mean(1).reshape(-1, 1));
        INDArray content = centred.divColumnVector(org.nd4j.linalg.ops.transforms.Transforms.sqrt(
                centred.mul(centred).mean(1).add(1e-5)).reshape(-1, 1)).reshape(1, 6, 16).repeat(0, 2);
        for (int k = 0; k < 2; k++) {
            Map<String, INDArray> params = new LinkedHashMap<>();
            for (String key : AdaMixerDecoderStage.parameterKeys(stageCfg)) {
                params.put(key, sd.getVariable(AdaMixer.STAGE_PREFIX + k + "." + key).getArr());
            }
            Map<String, INDArray> ref = AdaMixerDecoderStageReference.forward(stageCfg, params, features, xyzr, content);
            assertEquals(0, ref.get("cls_score").sub(out.stageLogits(k)).amaxNumber().doubleValue(), 1e-10, "logits " + k);
            assertEquals(0, ref.get("query_content_out").sub(out.stageHidden(k)).amaxNumber().doubleValue(), 1e-10, "hidden " + k);
            INDArray xyxy = AdaMixerDecoderStageReference.decodeXyxy(ref.get("refined_xyzr")).div(whwh);
            INDArray cxcywh = Nd4j.concat(2, xyxy.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2))
                    .add(xyxy.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 4))).mul(0.5),
                    xyxy.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 4))
                            .sub(xyxy.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2))));
            assertEquals(0, cxcywh.sub(out.stageBoxes(k)).amaxNumber().doubleValue(), 1e-10, "boxes " + k);
            xyzr = ref.get("refined_xyzr");
            content = ref.get("query_content_out");
        }
        assertTrue(out.stageBoxes(1).sub(out.stageBoxes(0)).amaxNumber().doubleValue() > 1e-3, "stage 1 refined nothing");
    }

    @Test
    void imagesAreIndependentAndBoxesAreDetachedBetweenStages() {
        DetectorConfig cfg = small(2);
        DetectorGraph det = Detectors.build(cfg, DataType.DOUBLE, 7);
        INDArray[] b = batch(3);
        DetectorOutputs both = det.forward(b[0], b[1]);
        INDArray other = b[0].dup();
        other.get(NDArrayIndex.point(0)).assign(Nd4j.randn(DataType.DOUBLE, 3, CANVAS, CANVAS));
        DetectorOutputs changed = det.forward(other, b[1]);
        assertEquals(both.logits().get(NDArrayIndex.point(1)), changed.logits().get(NDArrayIndex.point(1)));
        assertTrue(both.logits().get(NDArrayIndex.point(0)).sub(changed.logits().get(NDArrayIndex.point(0))).amaxNumber().doubleValue() > 1e-6);

        // d(stage-1 output)/d(stage-0 fc_reg) is exactly 0 (the boxes are detached), d/d(stage-0 FFN) is not
        SameDiff sd = det.sameDiff();
        sd.setLossVariables(sd.getVariable(DetectorNames.stageBoxes(1)).sum().add(sd.getVariable(DetectorNames.stageLogits(1)).sum()));
        Map<String, INDArray> g = sd.calculateGradients(det.feeds(b[0], b[1]),
                "roi_head.bbox_head.0.fc_reg.weight", "roi_head.bbox_head.0.fc_cls.weight", "roi_head.bbox_head.0.ffn.layers.1.weight");
        for (String none : List.of("roi_head.bbox_head.0.fc_reg.weight", "roi_head.bbox_head.0.fc_cls.weight")) {
            INDArray gn = g.get(none);   // SameDiff gives no array when no path reaches the variable
            assertTrue(gn == null || gn.amaxNumber().doubleValue() == 0, none + " has a gradient through the detached boxes");
        }
        assertTrue(g.get("roi_head.bbox_head.0.ffn.layers.1.weight").amaxNumber().doubleValue() > 1e-6);
    }

    @Test
    void presetsAndOptions() {
        assertTrue(DetectorPresets.names().containsAll(List.of("adamixer_r50", "adamixer_tiny")), DetectorPresets.names().toString());
        DetectorConfig r50 = DetectorPresets.get("adamixer_r50");
        assertEquals(100, r50.numQueries());
        assertEquals(6, r50.decoderLayers());
        assertEquals(0, r50.encoderLayers());
        assertEquals(AdaMixerOptions.defaults(), r50.adamixer());
        assertEquals(800, r50.inputHeight());
        AdaMixerStageConfig rs = AdaMixer.stageConfig(r50);
        assertEquals(256, rs.mixOutDim());
        assertEquals(32, rs.inPoints());
        assertEquals(128, rs.outPoints());
        assertArrayEquals(new int[]{4, 8, 16, 32}, rs.featmapStrides());
        assertEquals(32, AdaMixer.neckGroups(256));
        assertEquals(16, AdaMixer.neckGroups(16));
        DetectorConfig tiny = DetectorPresets.get("adamixer_tiny");
        assertEquals(DetectorConfig.fromJson(tiny.toJson(), "tiny"), tiny);
        assertEquals(64, AdaMixer.stageConfig(tiny).mixOutDim());
        assertThrows(IllegalArgumentException.class, () -> DetectorPresets.get("adamixer_huge"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdaMixer(small(1).toBuilder().hiddenDim(20).heads(2).build()));
        assertTrue(e.getMessage().contains("hiddenDim 20") && e.getMessage().contains("content_dim 20"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdaMixer(DetectorPresets.get("adamixer_tiny").toBuilder()
                .adamixer(new AdaMixerOptions(4, 3, 8, 16, 16)).build()));
        e = assertThrows(IllegalArgumentException.class, () -> new AdaMixer(DetectorPresets.get("deformable_detr_tiny")));
        assertTrue(e.getMessage().contains("deformable_detr"), e.getMessage());
    }

    @Test
    void tinyPresetRunsInFloat() {
        DetectorConfig tiny = DetectorPresets.get("adamixer_tiny");
        DetectorGraph det = Detectors.build(tiny, DataType.FLOAT, 1);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 128, 128);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 2, 128, 128);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.interval(96, 128), NDArrayIndex.all()).assign(1);
        DetectorOutputs out = det.forward(images, mask);
        assertArrayEquals(new long[]{2, 50, 91}, out.logits().shape());
        assertArrayEquals(new long[]{2, 50, 4}, out.boxes().shape());
        assertTrue(Double.isFinite(out.boxes().sumNumber().doubleValue()) && Double.isFinite(out.logits().sumNumber().doubleValue()));
    }
}
