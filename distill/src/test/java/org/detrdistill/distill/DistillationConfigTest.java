package org.detrdistill.distill;

import org.detrdistill.distill.detrdistill.HungarianLogitsDistillation;
import org.detrdistill.distill.detrdistill.LogitsDistillationOptions;
import org.detrdistill.distill.teachdetr.TeachDetrTerm;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The distillation config: builder, JSON round trip, defaults from the registry, and clear refusals. */
class DistillationConfigTest {
    private static final DistillTermRegistry REGISTRY = DistillTermRegistry.standard();

    private static IllegalArgumentException parseFails(String json) {
        return assertThrows(IllegalArgumentException.class, () -> DistillationConfig.fromJson(json, "cfg.json"));
    }

    @Test
    void buildsAndRoundTripsThroughJson() {
        DistillationConfig c = DistillationConfig.builder(TeacherSpec.checkpoint(Path.of("runs/t/best.zip")))
                .term("kd_logits")
                .term("teach_detr", 0.5, Map.of("primary", false, "teachers",
                        List.of(Map.of("name", "retina", "results", "retina.json", "scoreThreshold", 0.4, "lambda", 2.0))))
                .build();
        DistillationConfig back = DistillationConfig.fromJson(c.toJson(), "round trip");
        assertEquals(c.teacher(), back.teacher());
        assertEquals(c.terms().keySet(), back.terms().keySet());
        assertEquals(c.toJson(), back.toJson());
        back.validate(REGISTRY);
        assertEquals(1.0, back.lambda("kd_logits", REGISTRY), "METHOD's default λ");
        assertEquals(0.5, back.lambda("teach_detr", REGISTRY));
        assertEquals(0.3, back.teacher().scoreThreshold(), "default threshold");
        assertEquals(50, back.teacher().maxPerImage(), "Teach-DETR's cap");
    }

    @Test
    void parsesTheDocumentedExample() {
        DistillationConfig c = DistillationConfig.fromJson("""
                {"teacher": {"results": "t.json", "scoreThreshold": 0.25, "maxPerImage": 30},
                 "terms": {"teach_detr": {"lambda": 2, "unmatchedWeight": 0.5}}}""", "cfg.json");
        assertFalse(c.teacher().isNative());
        assertEquals(Path.of("t.json"), c.teacher().results());
        assertEquals(0.25, c.teacher().selection().scoreThreshold());
        assertEquals(30, c.teacher().selection().maxPerImage());
        assertEquals(2.0, c.lambda("teach_detr", REGISTRY));
        assertEquals(0.5, c.options("teach_detr").getDouble("unmatchedWeight", 0));
    }

    @Test
    void unknownNamesFailListingTheValidOnes() {
        IllegalArgumentException top = parseFails("{\"teacher\": {\"checkpoint\": \"a.zip\"}, \"terms\": {\"kd_logits\": {}}, \"extra\": 1}");
        assertTrue(top.getMessage().contains("cfg.json") && top.getMessage().contains("'extra'")
                && top.getMessage().contains("[teacher, terms]"), top.getMessage());
        IllegalArgumentException teacher = parseFails("{\"teacher\": {\"checkpoint\": \"a.zip\", \"treshold\": 1}, \"terms\": {\"kd_logits\": {}}}");
        assertTrue(teacher.getMessage().contains("'treshold'") && teacher.getMessage().contains("scoreThreshold"), teacher.getMessage());

        DistillationConfig c = DistillationConfig.fromJson("{\"teacher\": {\"checkpoint\": \"a.zip\"}, \"terms\": {\"kd_logit\": {}}}", "cfg.json");
        IllegalArgumentException term = assertThrows(IllegalArgumentException.class, () -> c.validate(REGISTRY));
        assertTrue(term.getMessage().contains("kd_logit") && term.getMessage().contains("[kd_logits, teach_detr, kd_feat, kd_relation, kd_assign, fitnet, mgd]"), term.getMessage());

        IllegalArgumentException option = assertThrows(IllegalArgumentException.class,
                () -> LogitsDistillationOptions.from(new TermOptions("terms.kd_logits", Map.of("tau", 0.5))));
        assertTrue(option.getMessage().contains("terms.kd_logits") && option.getMessage().contains("[tau]")
                && option.getMessage().contains("tauPos"), option.getMessage());
    }

    @Test
    void badValuesFailNamingTheField() {
        assertTrue(parseFails("{\"teacher\": {\"checkpoint\": \"a.zip\", \"results\": \"b.json\"}, \"terms\": {\"kd_logits\": {}}}")
                .getMessage().contains("exactly one"));
        assertTrue(parseFails("{\"teacher\": {}, \"terms\": {\"kd_logits\": {}}}").getMessage().contains("neither"));
        assertTrue(parseFails("{\"teacher\": {\"checkpoint\": \"a.zip\"}, \"terms\": {}}").getMessage().contains("at least one term"));
        assertTrue(parseFails("{\"teacher\": {\"checkpoint\": \"a.zip\"}, \"terms\": {\"kd_logits\": {\"lambda\": \"x\"}}}")
                .getMessage().contains("terms.kd_logits.lambda"));
        assertTrue(parseFails("{\"teacher\": {\"checkpoint\": \"a.zip\"}, \"terms\": {\"kd_logits\": {\"lambda\": -1}}}")
                .getMessage().contains("terms.kd_logits"));
        assertTrue(parseFails("{\"teacher\": {\"results\": \"a.json\", \"scoreThreshold\": 2}, \"terms\": {\"kd_logits\": {}}}")
                .getMessage().contains("scoreThreshold"));
        assertTrue(parseFails("{\"teacher\": {\"checkpoint\": \"a.zip\"}, \"terms\": {\"kd_logits\": {}, \"kd_logits\": {}}}")
                .getMessage().contains("kd_logits"), "a term named twice");
        assertTrue(parseFails("{\"teacher\": ").getMessage().contains("cfg.json"));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> LogitsDistillationOptions.from(new TermOptions("terms.kd_logits", Map.of("splitPositives", "yes"))));
        assertTrue(type.getMessage().contains("'splitPositives' must be true or false"), type.getMessage());
    }

    @Test
    void theStandardRegistryHasThisModulesTermsAndTheirDefaultLambdas() {
        assertEquals(List.of(HungarianLogitsDistillation.NAME, TeachDetrTerm.NAME, "kd_feat", "kd_relation", "kd_assign", "fitnet", "mgd"),
                REGISTRY.names());
        assertEquals(1.0, REGISTRY.entry("kd_logits").defaultLambda());
        assertEquals(0.2, REGISTRY.entry("kd_relation").defaultLambda(), "METHOD §2: λ_rel = 0.2");
        assertEquals(1.0, REGISTRY.entry("kd_assign").defaultLambda(), "METHOD §2: λ_assign = 1");
        DistillTermRegistry more = REGISTRY.toBuilder().register("my_term", 0.3, "a user's term", (o, c) -> null).build();
        assertEquals(0.3, more.entry("my_term").defaultLambda(), "a term registered later keeps its own default");
        assertThrows(IllegalArgumentException.class, () -> REGISTRY.toBuilder().register("kd_logits", 1, "again", (o, c) -> null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> REGISTRY.entry("fgd")).getMessage().contains("valid"));
    }
}
