package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.AdaMixerOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Double-precision central differences of a tiny AdaMixer (tiny backbone, d 16, 2 heads, one stage, canvas 64×64,
 * one of the two images padded) through the forward pass and the set criterion (focal + L1 + GIoU, Hungarian matching
 * held fixed), against {@code sd.calculateGradients}, for a sample of entries of every parameter kind.
 *
 * <p>One stage: with two, finite differences also see the paths through the boxes handed to the next stage, which the
 * model detaches as the reference does (their zero gradient is checked in {@code AdaMixerTest}). At 32×32 C5 is 1×1 and
 * a GroupNorm group of d = 16 holds one element, where SameDiff's reduction fails, hence 64×64.
 */
class AdaMixerGradientTest {
    private static final String[] STAGE_KEYS = {"iof_tau", "attention.attn.in_proj_weight", "attention.attn.out_proj.weight",
            "attention_norm.weight", "sampling_n_mixing.sampling_offset_generator.0.weight",
            "sampling_n_mixing.sampling_offset_generator.0.bias", "sampling_n_mixing.adaptive_mixing.parameter_generator.0.weight",
            "sampling_n_mixing.adaptive_mixing.parameter_generator.0.bias", "sampling_n_mixing.adaptive_mixing.out_proj.weight",
            "sampling_n_mixing.norm.weight", "ffn.layers.0.0.weight", "ffn.layers.1.bias", "ffn_norm.bias", "cls_fcs.0.weight",
            "cls_fcs.1.weight", "fc_cls.bias", "reg_fcs.0.weight", "reg_fcs.1.bias", "fc_reg.weight", "fc_reg.bias"};

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void lossGradientsMatchCentralDifferences() {
        DetectorConfig cfg = DetectorConfig.builder(Variant.ADAMIXER)
                .backbone(BackboneConfig.preset("tiny").toBuilder().prefix("backbone.").build())
                .numClasses(3).numQueries(5).hiddenDim(16).heads(2).encoderLayers(0).decoderLayers(1).ffnDim(32)
                .inputSize(64, 64).adamixer(new AdaMixerOptions(4, 2, 3, 4, 8)).build();
        DetectorGraph det = Detectors.build(cfg, DataType.DOUBLE, 11);
        SameDiff sd = det.sameDiff();
        // move the zero-initialised weights off zero so that every path carries gradient
        Nd4j.getRandom().setSeed(4);
        for (int k = 0; k < 1; k++) {
            for (String key : List.of("fc_reg.weight", "sampling_n_mixing.sampling_offset_generator.0.weight",
                    "sampling_n_mixing.adaptive_mixing.parameter_generator.0.weight")) {
                INDArray a = sd.getVariable(AdaMixer.STAGE_PREFIX + k + "." + key).getArr();
                a.assign(Nd4j.rand(DataType.DOUBLE, a.shape()).subi(0.5).muli(0.2));
            }
        }
        DetectionObjective loss = new DetectionObjective(det);

        Nd4j.getRandom().setSeed(5);
        INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 64, 64);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, 2, 64, 64);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(48, 64)).assign(1);   // image 1: 64 x 48
        images.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(48, 64)).assign(0);
        List<ImageTarget> targets = List.of(
                new ImageTarget(1, new int[]{0, 2}, Nd4j.createFromArray(new double[][]{{0.3, 0.4, 0.3, 0.5}, {0.7, 0.6, 0.4, 0.3}}), 64, 64, 64, 64),
                new ImageTarget(2, new int[]{1}, Nd4j.createFromArray(new double[][]{{0.5, 0.5, 0.6, 0.4}}), 64, 48, 64, 48));
        Map<String, INDArray> feed = loss.feeds(images, mask, targets);

        List<String> checked = new ArrayList<>(List.of("backbone.layer2.0.conv1.weight", "backbone.layer4.0.downsample.0.weight",
                "neck.lateral_convs.0.conv.weight", "neck.lateral_convs.3.conv.bias", "neck.gn_out.weight", "neck.gn_out.bias",
                AdaMixer.CONTENT_EMBED));
        for (int k = 0; k < 1; k++) for (String key : STAGE_KEYS) checked.add(AdaMixer.STAGE_PREFIX + k + "." + key);
        for (String name : checked) assertTrue(sd.hasVariable(name) && sd.getVariable(name).getVariableType()
                == org.nd4j.autodiff.samediff.VariableType.VARIABLE, name + " is not a trainable variable");

        double total = sd.output(feed, loss.loss()).get(loss.loss()).getDouble(0);
        assertTrue(total > 0 && Double.isFinite(total), "loss " + total);
        List<CentralDifference.Result> bad = CentralDifference.failures(sd, loss.loss(), feed, checked, 2, 1e-6, 1e-5, 99);
        System.out.printf("AdaMixer loss %.6f: %d variables x 2 entries checked, %d mismatches %s%n", total, checked.size(), bad.size(), bad);
        assertEquals(List.of(), bad);
        // every checked kind has a nonzero gradient somewhere (no degenerate check), except two that are exactly constant:
        // the lateral conv bias (with d = 16 each GroupNorm group is one channel, whose mean subtraction cancels a
        // per-channel bias) and the first stage's iof_tau (all initial boxes are the whole image: IoF 1 everywhere, so
        // the bias is the same for every key and the softmax ignores it; as in the reference)
        Map<String, INDArray> grads = sd.calculateGradients(feed, checked);
        for (String name : checked) {
            double g = grads.get(name).amaxNumber().doubleValue();
            if (name.equals("neck.lateral_convs.3.conv.bias") || name.equals(AdaMixer.STAGE_PREFIX + "0.iof_tau")) assertTrue(g < 1e-9, name + ": " + g);
            else assertTrue(g > 1e-9, name + ": zero gradient");
        }
    }
}
