package org.detrdistill.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.train.JsonLinesMetrics;
import org.detrdistill.distill.DistillationConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.detrdistill.examples.cli.DetrDistillCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code distill} in-process on a tiny synthetic set (4 + 2 images of 64x64): a teacher (d 32, 2 decoder stages)
 * trained 2 steps by {@code train}, then a smaller student (d 16, 1 stage, 4 queries) distilled 2 steps with
 * DETRDistill and resumed, one step of Teach-DETR from two results files, {@code --print-config} and the refusals.
 */
class DistillCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEACHER = List.of("--preset", "conditional_detr_tiny", "--set", "hiddenDim=32",
            "--set", "heads=2", "--set", "encoderLayers=1", "--set", "decoderLayers=2", "--set", "ffnDim=32",
            "--set", "numQueries=6", "--set", "inputHeight=64", "--set", "inputWidth=64");
    private static final List<String> STUDENT = List.of("--preset", "conditional_detr_tiny", "--set", "hiddenDim=16",
            "--set", "heads=2", "--set", "encoderLayers=1", "--set", "decoderLayers=1", "--set", "ffnDim=16",
            "--set", "numQueries=4", "--set", "inputHeight=64", "--set", "inputWidth=64");
    private static final List<String> FAST = List.of("--batch-size", "2", "--workers", "0", "--no-progress");

    @TempDir static Path tmp;
    static Path data, teacher;

    @SafeVarargs
    private static String[] args(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) all.addAll(p);
        return all.toArray(String[]::new);
    }

    @BeforeAll
    static void synthAndTrainTheTeacher() {
        data = tmp.resolve("data");
        DetrDistillCliTest.Run s = run("synth", "--out", data.toString(), "--train", "4", "--val", "2", "--size", "64",
                "--threads", "1");
        assertEquals(0, s.code(), s::toString);
        teacher = tmp.resolve("teacher");
        DetrDistillCliTest.Run t = run(args(List.of("train"), TEACHER, FAST, List.of("--data", data.toString(), "--out",
                teacher.toString(), "--epochs", "1", "--max-iterations", "2", "--eval-every", "0")));
        assertEquals(0, t.code(), t::toString);
    }

    /** The ground truth of the training split as a results file, every score {@code score}. */
    private static Path resultsFile(String name, double score) throws IOException {
        ArrayNode dt = JSON.createArrayNode();
        for (JsonNode a : JSON.readTree(data.resolve("annotations/instances_train.json").toFile()).get("annotations")) {
            dt.addObject().put("image_id", a.get("image_id").asLong()).put("category_id", a.get("category_id").asInt())
                    .put("score", score).set("bbox", a.get("bbox"));
        }
        Path file = tmp.resolve(name);
        JSON.writeValue(file.toFile(), dt);
        return file;
    }

    @Test
    void detrDistillTrainsEvaluatesAndResumes() throws Exception {
        Path out = tmp.resolve("student");
        DetrDistillCliTest.Run r = run(args(List.of("distill"), STUDENT, FAST, List.of("--data", data.toString(),
                "--teacher", teacher.toString(), "--out", out.toString(), "--epochs", "1", "--max-iterations", "2")));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("teacher: native conditional_detr"), r::toString);
        assertTrue(r.err().contains("terms: kd_logits (λ 1), kd_feat (λ 1), kd_assign (λ 1), kd_relation (λ 0.2)"), r::toString);
        assertEquals(12, r.out().lines().filter(l -> l.startsWith(" Average")).count(), r::toString);
        for (String f : List.of("last.zip", "best.zip", "detector.json", "trainer.json", "distill.json", "metrics.jsonl",
                "loss.png", "ap.png", "categories.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + "\n" + r);
        }
        DistillationConfig saved = DistillationConfig.read(out.resolve("distill.json"));
        assertEquals(List.of("kd_logits", "kd_feat", "kd_assign", "kd_relation"), List.copyOf(saved.terms().keySet()));
        assertEquals(teacher.resolve("last.zip"), saved.teacher().checkpoint(), "a folder means its best.zip, else last.zip");
        assertEquals(16, DetectorConfig.read(out.resolve("detector.json")).hiddenDim());
        List<JsonNode> steps = JsonLinesMetrics.read(out.resolve("metrics.jsonl")).stream()
                .filter(x -> x.get("type").asText().equals("step")).toList();
        assertEquals(2, steps.size());
        JsonNode weighted = steps.get(0).get("weighted");
        for (String term : List.of("loss_ce", "kd_logits_0", "kd_feat_0", "kd_relation_0")) {
            assertTrue(has(weighted, term), term + " in " + weighted);
        }

        // the student's checkpoint (with the distillation's adapters) serves eval like any other
        DetrDistillCliTest.Run eval = run("eval", "--checkpoint", out.toString(), "--data", data.toString());
        assertEquals(0, eval.code(), eval::toString);

        // --resume without distillation options continues with distill.json
        DetrDistillCliTest.Run resumed = run(args(List.of("distill"), FAST, List.of("--data", data.toString(), "--out",
                out.toString(), "--resume", "--epochs", "2", "--max-iterations", "3", "--eval-every", "0")));
        assertEquals(0, resumed.code(), resumed::toString);
        assertTrue(resumed.err().contains("after 1 step(s)") && resumed.err().contains("now at epoch 2, step 3"), resumed::toString);
        assertTrue(resumed.err().contains("kd_logits (λ 1)"), resumed::toString);
    }

    private static boolean has(JsonNode weighted, String prefix) {
        for (var it = weighted.fieldNames(); it.hasNext(); ) if (it.next().startsWith(prefix)) return true;
        return false;
    }

    @Test
    void teachDetrFromTwoResultsFilesTurnsAugmentationOff() throws Exception {
        Path a = resultsFile("retina_train.json", 0.9), b = resultsFile("yolo-train.json", 0.8);
        Path out = tmp.resolve("teach");
        DetrDistillCliTest.Run r = run(args(List.of("distill"), STUDENT, FAST, List.of("--data", data.toString(),
                "--teacher-results", a.toString(), "--teacher-results", b.toString(), "--method", "teach-detr",
                "--score-threshold", "0.5", "--out", out.toString(), "--epochs", "1", "--max-iterations", "1",
                "--eval-every", "0")));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("note: training without augmentation"), r::toString);
        JsonNode step = JsonLinesMetrics.read(out.resolve("metrics.jsonl")).get(0).get("weighted");
        assertTrue(has(step, "teach_detr_teacher") && has(step, "teach_detr_yolo_train"), step::toString);
        DistillationConfig saved = DistillationConfig.read(out.resolve("distill.json"));
        assertEquals(0.5, saved.teacher().scoreThreshold());
    }

    @Test
    void printConfigShowsTheEffectiveConfigsWithTermOverrides() throws Exception {
        DetrDistillCliTest.Run r = run(args(List.of("distill"), STUDENT, List.of("--data", data.toString(), "--teacher",
                teacher.resolve("last.zip").toString(), "--term", "kd_logits=2", "--term", "kd_relation=0", "--term", "mgd",
                "--lr", "3e-4", "--lr-drop", "3,5", "--print-config")));
        assertEquals(0, r.code(), r::toString);
        JsonNode root = JSON.readTree(r.out());
        assertEquals(16, root.get("detector").get("hiddenDim").asInt());
        assertEquals(6, root.get("detector").get("numClasses").asInt(), "the dataset's classes");
        assertEquals(3e-4, root.get("trainer").get("lr").asDouble());
        assertEquals("[3,5]", root.get("trainer").get("lrDropEpochs").toString());

        DetrDistillCliTest.Run train = run(args(List.of("train"), STUDENT, List.of("--data", data.toString(), "--print-config")));
        assertEquals(0, train.code(), train::toString);
        JsonNode t = JSON.readTree(train.out());
        assertEquals(DetectorConfig.fromJson(root.get("detector").toString(), "distill"),
                DetectorConfig.fromJson(t.get("detector").toString(), "train"), "the same detector options");
        assertFalse(t.has("distillation"), train::toString);
        DistillationConfig c = DistillationConfig.fromJson(root.get("distillation").toString(), "stdout");
        assertEquals(List.of("kd_logits", "kd_feat", "kd_assign", "mgd"), List.copyOf(c.terms().keySet()));
        assertEquals(2.0, c.terms().get("kd_logits").lambda());
        assertNull(c.terms().get("mgd").lambda(), "registry default");

        Path file = Files.writeString(tmp.resolve("d.json"), c.toJson());
        DetrDistillCliTest.Run fromFile = run(args(List.of("distill"), STUDENT, List.of("--data", data.toString(),
                "--distill-config", file.toString(), "--term", "mgd=0", "--print-config")));
        assertEquals(0, fromFile.code(), fromFile::toString);
        JsonNode d = JSON.readTree(fromFile.out()).get("distillation");
        assertTrue(d.get("terms").has("kd_feat") && !d.get("terms").has("mgd"), fromFile::toString);

        DetrDistillCliTest.Run none = run(args(List.of("distill"), STUDENT, List.of("--data", data.toString(),
                "--method", "none", "--print-config")));
        assertEquals(0, none.code(), none::toString);
        assertTrue(JSON.readTree(none.out()).get("distillation").isNull(), none::toString);
    }

    @Test
    void badInputIsOneLineWithExitCodeTwo() throws Exception {
        List<String> base = List.of("--data", data.toString(), "--out", tmp.resolve("never").toString());
        record Case(String expected, List<String> args) {}
        List<Case> cases = List.of(
                new Case("unknown distillation term 'kd_logit'; valid: [kd_logits, teach_detr, kd_feat, kd_relation, kd_assign, fitnet, mgd]",
                        List.of("--teacher", teacher.toString(), "--term", "kd_logit=1")),
                new Case("unknown distillation method 'kd'; valid: detrdistill, teach-detr, fitnet, mgd, none",
                        List.of("--teacher", teacher.toString(), "--method", "kd")),
                new Case("need a teacher", List.of()),
                new Case("only teach_detr takes more than one", List.of("--teacher", teacher.toString(), "--teacher",
                        teacher.toString())),
                new Case("--term kd_logits=x: λ must be a number", List.of("--teacher", teacher.toString(), "--term", "kd_logits=x")),
                new Case("no such file or directory", List.of("--teacher", tmp.resolve("missing").toString())),
                new Case("mutually exclusive", List.of("--method", "mgd", "--distill-config", "x.json")),
                new Case("distillation term 'kd_logits'", List.of("--teacher-results", resultsFile("r.json", 0.9).toString())));
        for (Case c : cases) {
            DetrDistillCliTest.Run r = run(args(List.of("distill"), STUDENT, FAST, base, c.args()));
            assertEquals(2, r.code(), () -> c + "\n" + r);
            List<String> errors = r.err().lines().filter(l -> l.startsWith(CliErrors.PREFIX)).toList();
            assertEquals(1, errors.size(), () -> c + "\n" + r);
            assertTrue(errors.get(0).contains(c.expected()), () -> c + "\n" + r);
        }
        assertFalse(Files.exists(tmp.resolve("never")), "a refused setup writes nothing");
    }
}
