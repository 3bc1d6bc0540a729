package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.checkpoint.WeightLoader;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.DetectorOutputs;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole {@link DeformableDetr} against the official PyTorch model of the {@code onnx_teachers/deformable_detr}
 * fixture (its state_dict loaded by name, shared-head aliases included; one unpadded 128×128 image): final and
 * auxiliary logits and boxes, decoder hidden states and encoder memory within 1e-4 in FLOAT.
 */
class DeformableDetrParityTest {
    private static DataType saved;

    @BeforeAll static void keep() { saved = Nd4j.dataType(); }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    /** The fixture's architecture, from its manifest. */
    static DetectorConfig config(Fixture f) {
        var c = f.config();
        var w = c.get("widths");
        BackboneConfig backbone = BackboneConfig.preset("tiny").toBuilder()
                .widths(w.get(0).asInt(), w.get(1).asInt(), w.get(2).asInt(), w.get(3).asInt()).build();
        return DetectorConfig.builder(Variant.DEFORMABLE_DETR).backbone(backbone).numClasses(c.get("num_classes").asInt())
                .numQueries(c.get("num_queries").asInt()).hiddenDim(c.get("hidden_dim").asInt()).heads(c.get("nheads").asInt())
                .encoderLayers(c.get("enc_layers").asInt()).decoderLayers(c.get("dec_layers").asInt())
                .ffnDim(c.get("dim_feedforward").asInt()).inputSize(c.get("image_hw").get(0).asInt(), c.get("image_hw").get(1).asInt())
                .deformable(new DeformableOptions(c.get("num_feature_levels").asInt(), c.get("enc_n_points").asInt(),
                        c.get("dec_n_points").asInt(), c.get("with_box_refine").asBoolean(), c.get("two_stage").asBoolean(), 32))
                .build();
    }

    @ParameterizedTest
    @CsvSource({"FLOAT, 1e-4", "DOUBLE, 1e-4"})
    void matchesOfficialModel(DataType type, double tol) {
        Nd4j.setDefaultDataTypes(type, type);
        Fixture f = Fixture.load("onnx_teachers", "deformable_detr");
        DetectorConfig cfg = config(f);
        DetectorGraph det = Detectors.build(cfg, type, 1);
        WeightLoader.Report report = DeformableDetr.loadStateDict(det, StateDict.readNpyFolder(f.dir().resolve("state_dict")));
        assertTrue(report.unfilled().isEmpty(), "unfilled: " + report.unfilled());

        INDArray images = f.npy("input.npy", type);
        INDArray mask = Nd4j.zeros(type, 1, 128, 128);
        List<String> names = new ArrayList<>(List.of(DetectorNames.LOGITS, DetectorNames.BOXES, DetectorNames.MEMORY));
        for (int k = 0; k < cfg.decoderLayers(); k++) {
            names.addAll(List.of(DetectorNames.stageLogits(k), DetectorNames.stageBoxes(k), DetectorNames.stageHidden(k)));
        }
        DetectorOutputs out = det.forward(images, mask, names.toArray(new String[0]));

        Map<String, Double> diffs = new HashMap<>();
        diffs.put("pred_logits", check(f.npy("ref_outputs/pred_logits"), out.logits(), tol));
        diffs.put("pred_boxes", check(f.npy("ref_outputs/pred_boxes"), out.boxes(), tol));
        diffs.put("memory", check(f.npy("ref_outputs/memory"), out.get(DetectorNames.MEMORY), tol));
        INDArray auxLogits = f.npy("ref_outputs/aux_logits"), auxBoxes = f.npy("ref_outputs/aux_boxes"), hs = f.npy("ref_outputs/hs");
        for (int k = 0; k < cfg.decoderLayers() - 1; k++) {
            diffs.put("aux_logits_" + k, check(auxLogits.get(NDArrayIndex.point(k)), out.stageLogits(k), tol));
            diffs.put("aux_boxes_" + k, check(auxBoxes.get(NDArrayIndex.point(k)), out.stageBoxes(k), tol));
        }
        for (int k = 0; k < cfg.decoderLayers(); k++) diffs.put("hs_" + k, check(hs.get(NDArrayIndex.point(k)), out.stageHidden(k), tol));
        // the last stage is the final prediction
        assertTrue(check(out.logits(), out.stageLogits(cfg.decoderLayers() - 1), 0) == 0);
        System.out.println("deformable_detr onnx teacher parity " + type + ": " + new java.util.TreeMap<>(diffs));
    }

    private static double check(INDArray expected, INDArray actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        double d = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(d <= tol, "max |diff| " + d + " > " + tol);
        return d;
    }

    @Test
    void aliasThatDiffersFromItsOriginalIsRejected() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Fixture f = Fixture.load("onnx_teachers", "deformable_detr");
        DetectorGraph det = Detectors.build(config(f), DataType.FLOAT, 1);
        Map<String, INDArray> tensors = new HashMap<>(StateDict.readNpyFolder(f.dir().resolve("state_dict")).asMap());
        tensors.put("class_embed.1.bias", tensors.get("class_embed.1.bias").add(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeformableDetr.loadStateDict(det, new StateDict(tensors, "edited")));
        assertTrue(e.getMessage().contains("class_embed.1.bias") && e.getMessage().contains("withBoxRefine"), e.getMessage());
    }
}
