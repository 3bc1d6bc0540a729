package org.detrdistill.core.loss;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CriterionConfigTest {
    @Test
    void defaultsFollowTheReferences() {
        CriterionConfig f = CriterionConfig.focalDefaults(91);
        assertEquals(ClassLoss.SIGMOID_FOCAL, f.classLoss());
        assertEquals(0.25, f.focalAlpha());
        assertEquals(2.0, f.focalGamma());
        assertEquals(91, f.classColumns());
        assertEquals(List.of(2.0, 5.0, 2.0), List.copyOf(f.weights().values()));
        CriterionConfig d = CriterionConfig.detrDefaults(91);
        assertEquals(92, d.classColumns());
        assertEquals(0.1, d.eosCoef());
        assertEquals(1.0, d.weightOf("loss_ce", "_3"));
    }

    @Test
    void stageSpecificWeightsOverrideAndMissingTermsAreNotBuilt() {
        CriterionConfig c = CriterionConfig.builder().numClasses(3).without("loss_giou").weight("loss_giou_0", 4)
                .weight("loss_ce_1", 0.5).build();
        assertEquals(0.5, c.weightOf("loss_ce", "_1"));
        assertEquals(2.0, c.weightOf("loss_ce", ""));
        assertNull(c.weightOf("loss_giou", ""));
        assertEquals(4.0, c.weightOf("loss_giou", "_0"));
    }

    @Test
    void jsonRoundTrip() {
        CriterionConfig c = CriterionConfig.detrDefaults(5).toBuilder().eosCoef(0.2).weight("loss_bbox_0", 3).build();
        CriterionConfig back = CriterionConfig.fromJson(c.toJson());
        assertEquals(c, back);
        assertEquals(List.copyOf(c.weights().keySet()), List.copyOf(back.weights().keySet()));
    }

    @Test
    void unknownNamesFailAndListTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CriterionConfig.builder().numClasses(3).weight("loss_mask", 1).build());
        assertTrue(e.getMessage().contains("loss_mask") && e.getMessage().contains("loss_giou"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CriterionConfig.fromJson(
                CriterionConfig.focalDefaults(3).toJson().replace("\"eosCoef\"", "\"eos_coef\"")));
        assertTrue(e.getMessage().contains("eos_coef"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CriterionConfig.builder().build());   // numClasses unset
    }

    @Test
    void stageSuffixes() {
        assertEquals("", Stage.suffixOf("final"));
        assertEquals("_0", Stage.suffixOf("aux_0"));
        assertEquals("_enc", Stage.suffixOf("enc"));
    }
}
