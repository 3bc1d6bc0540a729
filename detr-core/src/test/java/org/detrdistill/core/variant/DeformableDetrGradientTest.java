package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.position.PaddingMasks;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Double-precision central-difference check of a whole tiny Deformable DETR (tiny ResNet, d 16, 2 heads, 2 levels,
 * 2 points, 1+1 layers, 3 queries, 32×32 canvas, one padded image) through a scalar function of every stage's logits
 * and boxes, w.r.t. parameters of every kind (two entries each: the largest analytic one and a random one). The
 * detach of refined references is checked in {@link DeformableDetrDetachTest}.
 */
class DeformableDetrGradientTest {
    private static DataType saved;

    @BeforeAll static void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    static DetectorConfig tiny(boolean refine, int decoderLayers) {
        BackboneConfig bb = BackboneConfig.preset("tiny").toBuilder().widths(4, 8, 8, 16).stemWidth(4).build();
        return DetectorConfig.builder(Variant.DEFORMABLE_DETR).backbone(bb).numClasses(3).numQueries(3).hiddenDim(16)
                .heads(2).encoderLayers(1).decoderLayers(decoderLayers).ffnDim(24).inputSize(32, 32)
                .deformable(new DeformableOptions(2, 2, 2, refine, false, 4)).build();
    }

    /** Builds the graph and moves every trainable parameter off its (partly zero) initialisation. */
    static DetectorGraph graph(DetectorConfig c) {
        DetectorGraph det = Detectors.build(c, DataType.DOUBLE, 7);
        Nd4j.getRandom().setSeed(11);
        for (SDVariable v : det.sameDiff().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) v.getArr().addi(Nd4j.randn(DataType.DOUBLE, v.getArr().shape()).muli(0.05));
        }
        return det;
    }

    static Map<String, INDArray> feeds(DetectorGraph det) {
        Nd4j.getRandom().setSeed(3);
        INDArray images = Nd4j.rand(DataType.DOUBLE, 2, 3, 32, 32).subi(0.5).muli(4);
        INDArray mask = PaddingMasks.imageMask(new int[]{32, 24}, new int[]{32, 20}, 32, 32).castTo(DataType.DOUBLE);
        return det.feeds(images.muli(mask.rsub(1.0).reshape(2, 1, 32, 32)), mask);
    }

    /** {@code loss = Σ sum(output · R)} over the named outputs, R fixed random weights of each output's shape. */
    static void loss(SameDiff sd, Map<String, INDArray> feeds, String... outputs) {
        Map<String, INDArray> values = sd.output(feeds, outputs);
        SDVariable loss = null;
        Nd4j.getRandom().setSeed(5);
        for (String o : outputs) {
            INDArray r = Nd4j.randn(DataType.DOUBLE, values.get(o).shape());
            SDVariable term = sd.getVariable(o).mul(sd.constant(o + "_R", r)).sum();
            loss = loss == null ? term : loss.add(term);
        }
        loss.rename("loss");
        sd.setLossVariables("loss");
    }

    @Test
    void gradientsOfEveryParameterKindMatchCentralDifferences() {
        DetectorConfig c = tiny(false, 1);
        DetectorGraph det = graph(c);
        SameDiff sd = det.sameDiff();
        Map<String, INDArray> feeds = feeds(det);
        loss(sd, feeds, DetectorNames.stageLogits(0), DetectorNames.stageBoxes(0));
        String enc = "transformer.encoder.layers.0.", dec = "transformer.decoder.layers.0.";
        List<String> names = List.of(
                "backbone.0.body.layer4.0.conv2.weight", "backbone.0.body.layer2.0.downsample.0.weight",
                "input_proj.0.0.weight", "input_proj.0.1.weight", "input_proj.1.1.bias",
                "transformer.level_embed",
                enc + "self_attn.sampling_offsets.weight", enc + "self_attn.attention_weights.weight",
                enc + "self_attn.value_proj.weight",
                enc + "norm1.weight", enc + "linear1.weight",
                dec + "self_attn.in_proj_weight", dec + "self_attn.out_proj.weight",
                dec + "cross_attn.sampling_offsets.bias", dec + "cross_attn.attention_weights.bias", dec + "cross_attn.output_proj.weight", dec + "linear2.weight", dec + "norm3.weight",
                "transformer.reference_points.weight", "query_embed.weight",
                "class_embed.0.weight", "bbox_embed.0.layers.0.weight", "bbox_embed.0.layers.2.bias");
        for (CentralDifference.Result r : CentralDifference.checkAll(sd, "loss", feeds, names, 2, 1e-6, 13)) {
            String name = r.name();
            System.out.println("deformable_detr gradient " + r);
            assertTrue(r.maxAbsGradient() > 1e-6, name + ": gradient is (near) zero, the check would be vacuous");
            assertTrue(r.maxRelError() < 1e-5, r.toString());
        }
    }
}
