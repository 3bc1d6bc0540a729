package org.detrdistill.core.variant;

import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Double-precision finite-difference check of a whole tiny Conditional DETR (tiny backbone, d 16, 2 heads, 1+1 layers,
 * 3 queries, one of two images padded) through the focal set criterion (ce, L1, GIoU) on a fixed Hungarian matching,
 * w.r.t. parameters of each kind: backbone convs, input_proj, encoder, decoder (incl. reference-point head and first-layer-only
 * projections), query embedding and heads.
 */
class ConditionalDetrGradientTest {

    @Test
    void wholeModelGradientsMatchFiniteDifferences() {
        DataType saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            Nd4j.getRandom().setSeed(31);
            // 64x64: C5 is 2x2, so cross-attention has several keys (at 32x32 it would attend to a single one)
            DetectorConfig config = DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny"))
                    .hiddenDim(16).heads(2).encoderLayers(1).decoderLayers(1).ffnDim(12).numQueries(3).numClasses(2)
                    .inputSize(64, 64).build();
            DetectorGraph det = Detectors.build(config, DataType.DOUBLE, 8);
            SameDiff sd = det.sameDiff();
            // the last box layer starts at zero, which would leave no gradient to check in the layers before it
            sd.getVariable("bbox_embed.layers.2.weight").setArray(Nd4j.randn(DataType.DOUBLE, 4, 16).muli(0.3));

            INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 64, 64);
            INDArray mask = Nd4j.zeros(DataType.DOUBLE, 2, 64, 64);
            mask.get(NDArrayIndex.point(1), NDArrayIndex.interval(30, 64), NDArrayIndex.all()).assign(1);
            images.muli(mask.rsub(1).reshape(2, 1, 64, 64));
            List<ImageTarget> targets = List.of(
                    new ImageTarget(1, new int[]{0, 1}, Nd4j.createFromArray(new double[][]{{0.3, 0.4, 0.2, 0.3}, {0.7, 0.6, 0.4, 0.3}}), 64, 64, 64, 64),
                    new ImageTarget(2, new int[]{1}, Nd4j.createFromArray(new double[][]{{0.5, 0.3, 0.5, 0.4}}), 30, 64, 30, 64));
            DetectionObjective loss = new DetectionObjective(det);
            Map<String, INDArray> feeds = loss.feeds(images, mask, targets);
            assertEquals(1.0, feeds.get(DetectorNames.level(0) + "mask").getDouble(1, 1, 0), "a padded memory row");

            // not sa_{q,k}*_proj of layer 0: its input tgt is 0, so v = sa_v_proj.bias is the same for every key and the
            // self-attention weights (hence q and k) get an exactly zero gradient, in the reference too
            List<String> vars = List.of(
                    "backbone.0.body.layer2.0.conv1.weight", "backbone.0.body.layer4.0.conv2.weight",
                    "backbone.0.body.layer3.0.downsample.0.weight", "input_proj.weight", "input_proj.bias",
                    "transformer.encoder.layers.0.self_attn.in_proj_weight", "transformer.encoder.layers.0.linear1.weight",
                    "transformer.encoder.layers.0.norm2.weight",
                    "transformer.decoder.ref_point_head.layers.0.weight", "transformer.decoder.layers.0.sa_v_proj.bias",
                    "transformer.decoder.layers.0.ca_qpos_proj.weight", "transformer.decoder.layers.0.ca_kpos_proj.weight",
                    "transformer.decoder.layers.0.ca_qpos_sine_proj.weight", "transformer.decoder.layers.0.ca_v_proj.bias",
                    "transformer.decoder.layers.0.linear2.weight", "transformer.decoder.norm.bias",
                    "query_embed.weight", "class_embed.weight", "class_embed.bias", "bbox_embed.layers.0.weight",
                    "bbox_embed.layers.2.bias");
            var bad = CentralDifference.failures(sd, loss.loss(), feeds, vars, 2, 1e-6, 1e-5, 3);
            assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
            Map<String, INDArray> grads = sd.calculateGradients(feeds, vars);
            for (String v : vars) assertTrue(grads.get(v).amaxNumber().doubleValue() > 1e-6, "no gradient reaches " + v);
        } finally {
            Nd4j.setDefaultDataTypes(saved, saved);
        }
    }
}
