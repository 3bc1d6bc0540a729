package org.detrdistill.core.train;

import org.detrdistill.core.model.Variant;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parameter-group presets against the references' name rules; frozen parameters; rule validation. */
class ParamGroupsTest {

    @Test
    void deformableDetrPreset() {
        ParamGroups g = ParamGroups.deformableDetr();
        assertSetting(g, "backbone.0.body.layer2.0.conv1.weight", 0.1, "backbone");
        assertSetting(g, "transformer.encoder.layers.0.self_attn.sampling_offsets.weight", 0.1, "linear_proj");
        assertSetting(g, "transformer.reference_points.bias", 0.1, "linear_proj");
        assertSetting(g, "transformer.decoder.layers.5.cross_attn.attention_weights.weight", 1, "default");
        assertSetting(g, "input_proj.0.0.weight", 1, "default");
        // the reference keyword is "backbone.0": a name containing only "backbone" is not the backbone
        assertSetting(g, "backbone_adapter.weight", 1, "default");
        assertTrue(g.resolve("class_embed.0.bias").weightDecay());
    }

    @Test
    void conditionalDetrAndAdaMixerPresets() {
        ParamGroups c = ParamGroups.forVariant(Variant.CONDITIONAL_DETR);
        assertSetting(c, "backbone.0.body.layer3.1.conv2.weight", 0.1, "backbone");
        assertSetting(c, "transformer.decoder.layers.0.ca_qpos_sine_proj.weight", 1, "default");
        ParamGroups a = ParamGroups.forVariant(Variant.ADAMIXER);
        assertSetting(a, "backbone.layer2.0.conv1.weight", 1, "default");
        assertSetting(a, "roi_head.bbox_head.0.sampling_offset_generator.weight", 1, "default");
        assertTrue(ParamGroups.forVariant(Variant.DEFORMABLE_DETR).rules().size() == 2);
    }

    @Test
    void firstRuleWinsAndFrozenBeatsRules() {
        ParamGroups g = ParamGroups.builder()
                .rule(ParamRule.keywords("no_decay", 1, false, ".bias", "norm"))
                .rule(ParamRule.regex("head", "^class_embed\\.\\d+\\.", 2, true))
                .freeze(n -> n.startsWith("teacher."))
                .build();
        assertSetting(g, "class_embed.0.weight", 2, "head");
        ParamSetting s = g.resolve("class_embed.0.bias");
        assertEquals("no_decay", s.rule());
        assertFalse(s.weightDecay());
        ParamSetting t = g.resolve("teacher.class_embed.0.weight");
        assertTrue(t.frozen());
        assertEquals("frozen", t.rule());
        assertTrue(g.toBuilder().freezeKeywords("student.norm").build().resolve("student.norm1.weight").frozen());
        assertFalse(g.isFrozen("student.norm1.weight"), "toBuilder must not change the original");
    }

    @Test
    void trainableParametersAreUnfrozenVariablesOnly() {
        SameDiff sd = SameDiff.create();
        sd.var("student.w", Nd4j.ones(DataType.FLOAT, 2));
        sd.var("teacher.w", Nd4j.ones(DataType.FLOAT, 2));
        sd.constant("backbone.0.body.conv1.weight", Nd4j.ones(DataType.FLOAT, 2));
        sd.placeHolder("images", DataType.FLOAT, -1, 2);
        ParamGroups g = ParamGroups.builder().freezeKeywords("teacher.").build();
        assertEquals(List.of("student.w"), g.trainableParameters(sd));
    }

    @Test
    void rejectsBadRules() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParamRule.regex("r", "(", 1, true));
        assertTrue(e.getMessage().contains("'r'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParamRule.keywords("r", -1, true, "x"));
        assertThrows(IllegalArgumentException.class, () -> ParamRule.keywords("r", 1, true));
        assertThrows(IllegalArgumentException.class, () -> ParamRule.keywords("r", 1, true, ""));
        // keywords are literal: "." is not a wildcard
        assertFalse(ParamRule.keywords("r", 1, true, "backbone.0").matches("backboneX0"));
    }

    private static void assertSetting(ParamGroups g, String name, double mult, String rule) {
        ParamSetting s = g.resolve(name);
        assertEquals(mult, s.lrMultiplier(), 0, name);
        assertEquals(rule, s.rule(), name);
        assertFalse(s.frozen(), name);
    }
}
