package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The full Conditional DETR against the official model (fixture {@code onnx_teachers/conditional_detr}: its PyTorch
 * state_dict loaded by name, run on the fixture's own input, compared with the PyTorch float32 outputs).
 */
class ConditionalDetrTeacherTest {
    private static Fixture fixture;
    private static StateDict state;

    @BeforeAll
    static void load() {
        fixture = Fixture.load("onnx_teachers", "conditional_detr");
        state = StateDict.readNpyFolder(fixture.dir().resolve("state_dict"));
    }

    /** The fixture's architecture, read from its manifest (stem width from the state_dict). */
    static DetectorConfig teacherConfig() {
        var c = fixture.config();
        var w = c.path("widths");
        long stem = state.get("backbone.0.body.conv1.weight").size(0);
        BackboneConfig backbone = BackboneConfig.preset("tiny").toBuilder()
                .widths(w.get(0).asInt(), w.get(1).asInt(), w.get(2).asInt(), w.get(3).asInt()).stemWidth((int) stem).build();
        return DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(backbone)
                .hiddenDim(c.path("hidden_dim").asInt()).heads(c.path("nheads").asInt())
                .encoderLayers(c.path("enc_layers").asInt()).decoderLayers(c.path("dec_layers").asInt())
                .ffnDim(c.path("dim_feedforward").asInt()).numQueries(c.path("num_queries").asInt())
                .numClasses(c.path("num_classes").asInt())
                .inputSize(c.path("image_hw").get(0).asInt(), c.path("image_hw").get(1).asInt()).build();
    }

    @Test
    void matchesTheOfficialModel() {
        assertMatchesReference(state);
    }

    /** Path 1 of ONNX import: the weights read from the exported model's initializers fill the native graph. */
    @Test
    void weightsFromTheOnnxFileMatchTheOfficialModel() {
        org.detrdistill.core.onnx.OnnxModel onnx = org.detrdistill.core.onnx.OnnxModel.read(fixture.dir().resolve("model.onnx"));
        assertMatchesReference(onnx.stateDict());
    }

    private static void assertMatchesReference(StateDict weights) {
        DetectorConfig config = teacherConfig();
        assertEquals(BackboneConfig.preset("tiny"), config.backbone(), "the fixture's backbone is the tiny preset");
        DetectorGraph det = Detectors.build(config, DataType.FLOAT, 1);
        WeightLoader.Report report = det.loadStateDict(weights);
        assertEquals(0, report.unfilled().size(), report.unfilled().toString());
        INDArray images = fixture.npy("input");
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 1, images.size(2), images.size(3));
        DetectorOutputs out = det.forward(images, mask, DetectorNames.LOGITS, DetectorNames.BOXES, DetectorNames.stageLogits(0),
                DetectorNames.stageBoxes(0), DetectorNames.stageHidden(0), DetectorNames.stageHidden(1), DetectorNames.MEMORY);

        INDArray hs = fixture.npy("ref_outputs/hs");
        Map<String, double[]> diffs = new LinkedHashMap<>();
        diffs.put("pred_logits", diff(out.logits(), fixture.npy("ref_outputs/pred_logits")));
        diffs.put("pred_boxes", diff(out.boxes(), fixture.npy("ref_outputs/pred_boxes")));
        diffs.put("aux_logits", diff(out.stageLogits(0), fixture.npy("ref_outputs/aux_logits").get(NDArrayIndex.point(0))));
        diffs.put("aux_boxes", diff(out.stageBoxes(0), fixture.npy("ref_outputs/aux_boxes").get(NDArrayIndex.point(0))));
        diffs.put("hs_0", diff(out.stageHidden(0), hs.get(NDArrayIndex.point(0))));
        diffs.put("hs_1", diff(out.stageHidden(1), hs.get(NDArrayIndex.point(1))));
        diffs.put("memory", diff(out.get(DetectorNames.MEMORY), fixture.npy("ref_outputs/memory").permute(1, 0, 2)));
        StringBuilder msg = new StringBuilder("max abs diff vs the official model (FLOAT):");
        diffs.forEach((k, v) -> msg.append(String.format(" %s %.2e (|ref| ≤ %.2f);", k, v[0], v[1])));
        System.out.println(msg);
        diffs.forEach((k, v) -> assertTrue(v[0] <= 1e-4, msg.toString()));
    }

    /** {max |a − b|, max |b|}. */
    private static double[] diff(INDArray a, INDArray b) {
        assertArrayEquals(b.shape(), a.shape());
        return new double[]{a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue(),
                b.amaxNumber().doubleValue()};
    }

    @Test
    void reportsUnknownMissingAndMisshapedKeysByName() {
        DetectorGraph det = Detectors.build(teacherConfig(), DataType.FLOAT, 1);
        Map<String, INDArray> bad = new HashMap<>(state.asMap());
        bad.remove("class_embed.bias");
        bad.put("transformer.decoder.layers.1.ca_qpos_proj.weight", Nd4j.zeros(DataType.FLOAT, 256, 256)); // first layer only
        bad.put("query_embed.weight", Nd4j.zeros(DataType.FLOAT, 11, 256));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> det.loadStateDict(new StateDict(bad, "bad_checkpoint")));
        String m = e.getMessage();
        assertTrue(m.contains("bad_checkpoint"), m);
        assertTrue(m.contains("unknown key 'transformer.decoder.layers.1.ca_qpos_proj.weight'"), m);
        assertTrue(m.contains("shape mismatch for 'query_embed.weight'") && m.contains("[11, 256]"), m);
        assertTrue(m.contains("missing from the state_dict") && m.contains("class_embed.bias"), m);
    }
}
