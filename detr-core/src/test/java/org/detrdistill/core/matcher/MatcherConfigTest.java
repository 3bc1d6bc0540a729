package org.detrdistill.core.matcher;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** {@link MatcherConfig}: presets, builder, JSON round trip and fail-fast parsing. */
class MatcherConfigTest {
    @Test
    void presetsHaveTheReferenceWeights() {
        MatcherConfig d = MatcherConfig.deformableDetr();
        assertEquals(new MatcherConfig(MatcherConfig.ClassCost.FOCAL, 2, 5, 2, 0.25, 2, 1e-8), d);
        assertEquals(new MatcherConfig(MatcherConfig.ClassCost.SOFTMAX, 1, 5, 2, 0.25, 2, 1e-8), MatcherConfig.detr());
        assertEquals(MatcherConfig.ClassCost.SOFT_BCE, MatcherConfig.detrDistill().classCost());
        assertEquals(1, MatcherConfig.detrDistill().classWeight());
        assertEquals(d.toBuilder().giouWeight(3).build().giouWeight(), 3);
    }

    @Test
    void jsonRoundTripAndDefaults() {
        MatcherConfig c = MatcherConfig.builder().classCost(MatcherConfig.ClassCost.SOFT_BCE).classWeight(1.5)
                .bboxWeight(4).giouWeight(2.5).focalAlpha(0.3).focalGamma(1.5).focalEps(1e-6).build();
        assertEquals(c, MatcherConfig.fromJson(c.toJson()));
        MatcherConfig partial = MatcherConfig.fromJson("{\"classCost\": \"softmax\", \"classWeight\": 1}");
        assertEquals(MatcherConfig.detr(), partial);
    }

    @Test
    void unknownNamesAndBadValuesFailWithTheValidChoices() {
        var e = assertThrows(IllegalArgumentException.class, () -> MatcherConfig.fromJson("{\"bboxWeigth\": 5}"));
        assertTrue(e.getMessage().contains("unknown field 'bboxWeigth'") && e.getMessage().contains("bboxWeight"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MatcherConfig.fromJson("{\"classCost\": \"ce\"}"));
        assertTrue(e.getMessage().contains("[FOCAL, SOFTMAX, SOFT_BCE]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MatcherConfig.fromJson("{\"giouWeight\": \"2\"}"));
        assertTrue(e.getMessage().contains("'giouWeight' must be a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MatcherConfig.fromJson("[1]"));
        assertTrue(e.getMessage().contains("expected a JSON object"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MatcherConfig.builder().bboxWeight(-1).build());
        assertTrue(e.getMessage().contains("bboxWeight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MatcherConfig.builder().focalAlpha(1.5).build());
        assertTrue(e.getMessage().contains("focalAlpha"), e.getMessage());
    }
}
