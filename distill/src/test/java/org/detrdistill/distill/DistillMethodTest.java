package org.detrdistill.distill;

import org.detrdistill.distill.DistillationConfig.TermSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@link DistillMethod}: the presets, {@link DistillMethod#compose} and {@link TeacherSpec#ofModel}. */
class DistillMethodTest {
    private static final DistillTermRegistry REGISTRY = DistillTermRegistry.standard();
    private static final TeacherSpec NATIVE = TeacherSpec.checkpoint(Path.of("runs/big/best.zip"));
    @TempDir Path tmp;

    private static Map<String, Double> lambdas(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Double) kv[i + 1]);
        return m;
    }

    @Test
    void methodsNameRegisteredTerms() {
        assertEquals(List.of("detrdistill", "teach-detr", "fitnet", "mgd", "none"), DistillMethod.ids());
        for (DistillMethod m : DistillMethod.values()) {
            for (String t : m.terms()) assertDoesNotThrow(() -> REGISTRY.entry(t), m + " " + t);
        }
        assertEquals(DistillMethod.TEACH_DETR, DistillMethod.of("Teach_DETR"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistillMethod.of("kd"));
        assertEquals("unknown distillation method 'kd'; valid: detrdistill, teach-detr, fitnet, mgd, none", e.getMessage());
    }

    @Test
    void aMethodWithOverridesKeepsOrderAndDefaults() {
        DistillationConfig c = DistillMethod.DETRDISTILL.config(List.of(NATIVE),
                lambdas("kd_logits", 2.0, "kd_relation", 0.0, "mgd", null), REGISTRY).orElseThrow();
        assertEquals(List.of("kd_logits", "kd_feat", "kd_assign", "mgd"), List.copyOf(c.terms().keySet()));
        assertEquals(2.0, c.lambda("kd_logits", REGISTRY));
        assertEquals(1.0, c.lambda("kd_feat", REGISTRY), "registry default");
        assertNull(c.terms().get("mgd").lambda(), "added at its default");
        assertSame(NATIVE, c.teacher());
        assertTrue(DistillMethod.NONE.config(List.of(), Map.of(), REGISTRY).isEmpty(), "no term, no teacher needed");
        assertTrue(DistillMethod.FITNET.config(List.of(NATIVE), lambdas("fitnet", 0.0), REGISTRY).isEmpty());
    }

    @Test
    void composeKeepsAFilesOptionsAndAppendsExtraTeachersToTeachDetr() {
        Map<String, TermSpec> fromFile = new LinkedHashMap<>();
        fromFile.put("teach_detr", new TermSpec(0.5, Map.of("unmatchedWeight", 0.25,
                "teachers", List.of(Map.of("name", "retina", "results", "retina.json")))));
        TeacherSpec second = TeacherSpec.results(Path.of("out/retina.json"), 0.4);
        TeacherSpec third = TeacherSpec.checkpoint(Path.of("runs/big/last.zip"));
        DistillationConfig c = DistillMethod.compose(fromFile, lambdas("teach_detr", 2.0),
                List.of(NATIVE, second, third), REGISTRY).orElseThrow();
        TermSpec t = c.terms().get("teach_detr");
        assertEquals(2.0, t.lambda());
        assertEquals(0.25, t.options().get("unmatchedWeight"), "options survive a λ override");
        List<?> teachers = (List<?>) t.options().get("teachers");
        assertEquals(3, teachers.size());
        assertEquals("retina_2", ((Map<?, ?>) teachers.get(1)).get("name"), "unique names");
        assertEquals("out/retina.json", ((Map<?, ?>) teachers.get(1)).get("results"));
        assertEquals(0.4, ((Map<?, ?>) teachers.get(1)).get("scoreThreshold"));
        assertEquals("big", ((Map<?, ?>) teachers.get(2)).get("name"), "a run folder's name for best/last.zip");
        DistillationConfig reread = DistillationConfig.fromJson(c.toJson(), "test");
        assertEquals(c.toJson(), reread.toJson(), "JSON round trip");
    }

    @Test
    void refusalsSayWhy() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () ->
                DistillMethod.DETRDISTILL.config(List.of(NATIVE), lambdas("kd_logit", 1.0), REGISTRY));
        assertEquals("unknown distillation term 'kd_logit'; valid: " + REGISTRY.names(), unknown.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () ->
                DistillMethod.MGD.config(List.of(), Map.of(), REGISTRY));
        assertTrue(none.getMessage().contains("[mgd] need a teacher"), none.getMessage());
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () ->
                DistillMethod.DETRDISTILL.config(List.of(NATIVE, NATIVE), Map.of(), REGISTRY));
        assertTrue(two.getMessage().contains("only teach_detr takes more than one"), two.getMessage());
    }

    @Test
    void ofModelResolvesATrainingFolder() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        assertThrows(NoSuchFileException.class, () -> TeacherSpec.ofModel(run, 0.3), "no checkpoint in the folder");
        Files.writeString(run.resolve("last.zip"), "x");
        assertEquals(run.resolve("last.zip"), TeacherSpec.ofModel(run, 0.3).checkpoint());
        Files.writeString(run.resolve("best.zip"), "x");
        TeacherSpec best = TeacherSpec.ofModel(run, 0.5);
        assertEquals(run.resolve("best.zip"), best.checkpoint());
        assertEquals(0.5, best.scoreThreshold());
        assertTrue(best.isNative());
        assertThrows(NoSuchFileException.class, () -> TeacherSpec.ofModel(tmp.resolve("missing"), 0.3));
    }
}
