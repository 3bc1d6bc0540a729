package org.detrdistill.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.train.JsonLinesMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.detrdistill.examples.cli.DetrDistillCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code train}, {@code eval --checkpoint} and {@code predict} in-process on a tiny synthetic set (4 + 2 images of
 * 64x64) with a tiny detector (d 32, one layer each, 64x64 canvas): two training steps, then evaluation, prediction,
 * resuming and the refusals.
 */
class TrainEvalPredictCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A small and fast detector: the tiny preset shrunk further. */
    private static final List<String> TINY = List.of("--preset", "conditional_detr_tiny", "--set", "hiddenDim=32",
            "--set", "heads=2", "--set", "encoderLayers=1", "--set", "decoderLayers=1", "--set", "ffnDim=32",
            "--set", "numQueries=5", "--set", "inputHeight=64", "--set", "inputWidth=64");

    @TempDir static Path tmp;
    static Path data, runDir;
    static DetrDistillCliTest.Run trained;

    private static String[] args(List<String> a, String... more) {
        return Stream.concat(a.stream(), Stream.of(more)).toArray(String[]::new);
    }

    @BeforeAll
    static void synthAndTrain() {
        data = tmp.resolve("data");
        DetrDistillCliTest.Run s = run("synth", "--out", data.toString(), "--train", "4", "--val", "2", "--size", "64",
                "--threads", "1");
        assertEquals(0, s.code(), s::toString);
        runDir = tmp.resolve("run");
        trained = run(args(List.of("train"), args(TINY, "--data", data.toString(), "--out", runDir.toString(), "--epochs", "1",
                "--max-iterations", "2", "--batch-size", "2", "--workers", "0", "--no-progress")));
    }

    @Test
    void trainWritesTheRunFolderAndPrintsTheApTable() throws Exception {
        assertEquals(0, trained.code(), trained::toString);
        for (String f : List.of("last.zip", "best.zip", "detector.json", "trainer.json", "categories.json", "metrics.jsonl",
                "loss.png", "ap.png")) {
            assertTrue(Files.isRegularFile(runDir.resolve(f)), f + "\n" + trained);
        }
        assertEquals(6, DetectorConfig.read(runDir.resolve("detector.json")).numClasses(), "classes of the dataset, not the preset's 91");
        assertEquals(32, DetectorConfig.read(runDir.resolve("detector.json")).hiddenDim());
        long steps = JsonLinesMetrics.read(runDir.resolve("metrics.jsonl")).stream().filter(r -> r.get("type").asText().equals("step")).count();
        assertEquals(2, steps);
        assertEquals(12, trained.out().lines().filter(l -> l.contains("Average Precision") || l.contains("Average Recall")).count(),
                trained::toString);
        assertTrue(trained.err().contains("epoch 0: steps 1-2"), trained::toString);
        assertEquals(900, ImageIO.read(runDir.resolve("loss.png").toFile()).getWidth(), "loss chart");

        DetrDistillCliTest.Run again = run(args(List.of("train"), args(TINY, "--data", data.toString(), "--out", runDir.toString())));
        assertEquals(2, again.code(), again::toString);
        assertTrue(again.err().contains("already holds a training run: add --resume"), again::toString);
        assertEquals(1, again.err().lines().filter(l -> l.startsWith(CliErrors.PREFIX)).count(), again::toString);
    }

    @Test
    void resumeContinuesTheRunFromItsDetectorJson() throws Exception {
        Path copy = tmp.resolve("resumed");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        DetrDistillCliTest.Run r = run("train", "--data", data.toString(), "--out", copy.toString(), "--resume", "--epochs", "2",
                "--max-iterations", "3", "--batch-size", "2", "--workers", "0", "--eval-every", "0", "--no-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("after 1 step(s)") && r.err().contains("now at epoch 2, step 3"), r::toString);
        long steps = JsonLinesMetrics.read(copy.resolve("metrics.jsonl")).stream().filter(x -> x.get("type").asText().equals("step")).count();
        assertEquals(3, steps, "metrics.jsonl is appended to");
        DetrDistillCliTest.Run nothing = run("train", "--data", data.toString(), "--out", tmp.resolve("fresh").toString(), "--resume");
        assertEquals(2, nothing.code(), nothing::toString);
        assertTrue(nothing.err().contains("holds no training run"), nothing::toString);
    }

    @Test
    void evalOfACheckpointPrintsTheTableOrJson() throws Exception {
        DetrDistillCliTest.Run table = run("eval", "--checkpoint", runDir.toString(), "--data", data.toString());
        assertEquals(0, table.code(), table::toString);
        assertTrue(table.out().contains("best.zip (conditional_detr, epoch 1, step 2)"), table::toString);
        assertTrue(table.out().contains("2 images"), table::toString);
        assertEquals(12, table.out().lines().filter(l -> l.startsWith(" Average")).count(), table::toString);

        DetrDistillCliTest.Run json = run("eval", "--checkpoint", runDir.resolve("last.zip").toString(), "--data", data.toString(),
                "--split", "train", "--json");
        assertEquals(0, json.code(), json::toString);
        JsonNode stats = JSON.readTree(json.out()).get("stats");
        assertEquals(12, stats.size(), json::toString);
        assertTrue(stats.get("AP").asDouble() >= 0 && stats.get("AP").asDouble() <= 1, json::toString);

        DetrDistillCliTest.Run noSplit = run("eval", "--checkpoint", runDir.toString(), "--data", data.toString(), "--split", "test");
        assertEquals(2, noSplit.code(), noSplit::toString);
        assertTrue(noSplit.err().contains("instances_test.json"), noSplit::toString);
        DetrDistillCliTest.Run mixed = run("eval", "--checkpoint", runDir.toString(), "--gt", "a.json", "--dt", "b.json");
        assertEquals(2, mixed.code(), mixed::toString);
    }

    @Test
    void predictWritesResultsAndOnePngPerImage() throws Exception {
        Path out = tmp.resolve("pred");
        Path gt = data.resolve("annotations/instances_val.json");
        DetrDistillCliTest.Run r = run("predict", "--checkpoint", runDir.toString(), "--images", data.resolve("val").toString(),
                "--out", out.toString(), "--categories", gt.toString(), "--score-threshold", "0");
        assertEquals(0, r.code(), r::toString);
        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        assertTrue(results.isArray() && results.size() > 0, r::toString);
        Set<Long> valIds = new HashSet<>();
        JSON.readTree(gt.toFile()).get("images").forEach(i -> valIds.add(i.get("id").asLong()));
        for (JsonNode d : results) {
            assertTrue(valIds.contains(d.get("image_id").asLong()), d.toString());
            assertEquals(4, d.get("bbox").size());
            assertTrue(d.get("category_id").asInt() >= 1 && d.get("category_id").asInt() <= 6, d.toString());
        }
        try (Stream<Path> pngs = Files.list(out).filter(p -> p.toString().endsWith(".png"))) {
            List<Path> list = pngs.toList();
            assertEquals(2, list.size());
            BufferedImage img = ImageIO.read(list.get(0).toFile());
            assertEquals(512, img.getWidth(), "64x64 images are drawn at 512x512");
        }
        // sequential ids without --categories; a previous predict output is replaced, a foreign folder refused
        DetrDistillCliTest.Run seq = run("predict", "--checkpoint", runDir.toString(), "--images",
                data.resolve("val").toString(), "--out", out.toString(), "--no-draw", "--score-threshold", "0");
        assertEquals(0, seq.code(), seq::toString);
        Set<Long> ids = new HashSet<>();
        JSON.readTree(out.resolve("results.json").toFile()).forEach(d -> ids.add(d.get("image_id").asLong()));
        assertEquals(Set.of(1L, 2L), ids);
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "keep");
        DetrDistillCliTest.Run refused = run("predict", "--checkpoint", runDir.toString(), "--images",
                data.resolve("val").toString(), "--out", foreign.toString());
        assertEquals(2, refused.code(), refused::toString);
        assertEquals("keep", Files.readString(foreign.resolve("notes.txt")));
        DetrDistillCliTest.Run missing = run("predict", "--checkpoint", tmp.resolve("none").toString(), "--images",
                data.resolve("val").toString(), "--out", tmp.resolve("p2").toString());
        assertEquals(2, missing.code(), missing::toString);
        assertTrue(missing.err().contains("none"), missing::toString);
    }

    @Test
    void aNonFiniteLossStopsWithOneLineAndExitCodeOne() {
        Path out = tmp.resolve("diverged");
        DetrDistillCliTest.Run r = run(args(List.of("train"), args(TINY, "--data", data.toString(), "--out", out.toString(),
                "--epochs", "3", "--batch-size", "2", "--workers", "0", "--lr", "1e30", "--eval-every", "0", "--no-progress")));
        assertEquals(1, r.code(), r::toString);
        List<String> errors = r.err().lines().filter(l -> l.startsWith(CliErrors.PREFIX)).toList();
        assertEquals(1, errors.size(), r::toString);
        assertTrue(errors.get(0).contains("non-finite value at step"), r::toString);
    }
}
