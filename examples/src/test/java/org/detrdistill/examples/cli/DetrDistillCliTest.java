package org.detrdistill.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every command in-process through {@link DetrDistillCli#commandLine()} (as the launcher does, minus
 * {@code System.exit}) and checks output, files and exit codes.
 */
class DetrDistillCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The outcome of one command line. */
    record Run(int code, String out, String err) {
        @Override public String toString() { return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err; }
    }

    static Run run(String... args) {
        CommandLine cl = DetrDistillCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path synth(String dir, String... extra) {
        Path out = tmp.resolve(dir);
        String[] args = Stream.concat(Stream.of("synth", "--out", out.toString(), "--train", "4", "--val", "2",
                "--size", "64x64", "--threads", "1"), Stream.of(extra)).toArray(String[]::new);
        Run r = run(args);
        assertEquals(0, r.code(), r::toString);
        return out;
    }

    /** Writes the ground truth's annotations back as detections (score 0.9), optionally leaving out the first. */
    private static Path resultsFromGroundTruth(Path gt, Path out, boolean dropFirst) throws IOException {
        ArrayNode dt = JSON.createArrayNode();
        JsonNode anns = JSON.readTree(gt.toFile()).get("annotations");
        for (int i = dropFirst ? 1 : 0; i < anns.size(); i++) {
            JsonNode a = anns.get(i);
            dt.addObject().put("image_id", a.get("image_id").asLong()).put("category_id", a.get("category_id").asInt())
                    .put("score", 0.9).set("bbox", a.get("bbox"));
        }
        JSON.writeValue(out.toFile(), dt);
        return out;
    }

    @Test
    void synthWritesTheDatasetAndPrintsItsSummary() throws IOException {
        Path ds = synth("ds");
        try (Stream<Path> train = Files.list(ds.resolve("train")); Stream<Path> val = Files.list(ds.resolve("val"))) {
            assertEquals(4, train.count());
            assertEquals(2, val.count());
        }
        JsonNode gt = JSON.readTree(ds.resolve("annotations/instances_val.json").toFile());
        assertEquals(2, gt.get("images").size());
        assertEquals(64, gt.get("images").get(0).get("width").asInt());
        Run again = run("synth", "--out", ds.toString(), "--train", "4", "--val", "2", "--size", "64x64");
        assertEquals(0, again.code(), again::toString);  // a previous synthetic output is replaced
        assertTrue(again.out().contains("train: 4 images"), again::toString);
        assertTrue(again.out().contains("val:   2 images"), again::toString);
    }

    @Test
    void synthFlagsOverrideTheConfigFile() throws IOException {
        Path cfg = tmp.resolve("synth.json");
        Files.writeString(cfg, "{\"numTrainImages\": 500, \"numValImages\": 300, \"imageWidth\": 48, \"imageHeight\": 40,"
                + " \"classes\": [\"circle\", \"square\"], \"seed\": 3}");
        Path ds = tmp.resolve("fromfile");
        Run r = run("synth", "--out", ds.toString(), "--config", cfg.toString(), "--train", "2", "--val", "1",
                "--threads", "1");
        assertEquals(0, r.code(), r::toString);
        JsonNode gt = JSON.readTree(ds.resolve("annotations/instances_train.json").toFile());
        assertEquals(2, gt.get("images").size());                       // --train wins over the file's 500
        assertEquals(48, gt.get("images").get(0).get("width").asInt());  // the size comes from the file
        assertEquals(40, gt.get("images").get(0).get("height").asInt());
        assertEquals(2, gt.get("categories").size());                   // and so do the classes
        assertEquals("circle", gt.get("categories").get(0).get("name").asText());
    }

    @Test
    void synthRefusesAForeignDirectoryAndBadValues() throws IOException {
        Path foreign = Files.createDirectories(tmp.resolve("mine"));
        Path precious = Files.writeString(foreign.resolve("notes.txt"), "keep me");
        Run r = run("synth", "--out", foreign.toString(), "--train", "1", "--val", "1");
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().startsWith(CliErrors.PREFIX) && r.err().contains("refusing"), r::toString);
        assertEquals("keep me", Files.readString(precious));

        Run size = run("synth", "--out", tmp.resolve("s").toString(), "--size", "64by64");
        assertEquals(2, size.code(), size::toString);
        assertTrue(size.err().contains("WIDTHxHEIGHT") && size.err().contains("synth --help"), size::toString);

        Run range = run("synth", "--out", tmp.resolve("s").toString(), "--size", "8x8");
        assertEquals(2, range.code(), range::toString);
        assertTrue(range.err().contains("imageWidth"), range::toString);    // the config names the field

        Run missing = run("synth", "--train", "1");
        assertEquals(2, missing.code(), missing::toString);
        assertTrue(missing.err().contains("--out"), missing::toString);
        assertEquals(1, missing.err().lines().count(), missing::toString);  // one line, no usage dump
    }

    @Test
    void evalOfTheGroundTruthItselfHasApOne() throws IOException {
        Path ds = synth("evalds");
        Path gt = ds.resolve("annotations/instances_val.json");
        Path dt = resultsFromGroundTruth(gt, tmp.resolve("dt.json"), false);

        Run table = run("eval", "--gt", gt.toString(), "--dt", dt.toString(), "--per-category");
        assertEquals(0, table.code(), table::toString);
        String[] lines = table.out().split("\n");
        assertTrue(lines[1].startsWith(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]"),
                table::toString);
        assertTrue(lines[1].endsWith("= 1.000"), table::toString);
        assertTrue(table.out().contains("red_circle"), table::toString);     // per-category rows carry the names

        Run json = run("eval", "--gt", gt.toString(), "--dt", dt.toString(), "--json");
        assertEquals(0, json.code(), json::toString);
        JsonNode stats = JSON.readTree(json.out()).get("stats");
        assertEquals(1.0, stats.get("AP").asDouble());
        assertEquals(1.0, stats.get("AP50").asDouble());
        assertEquals(1.0, stats.get("AR100").asDouble());

        Path partial = resultsFromGroundTruth(gt, tmp.resolve("partial.json"), true);
        Run missed = run("eval", "--gt", gt.toString(), "--dt", partial.toString(), "--json");
        assertEquals(0, missed.code(), missed::toString);
        assertTrue(JSON.readTree(missed.out()).get("stats").get("AR100").asDouble() < 1.0, missed::toString);
    }

    @Test
    void evalReportsBadInputInOneLineWithExitCodeTwo() throws IOException {
        Path ds = synth("badeval");
        Path gt = ds.resolve("annotations/instances_val.json");
        Path bad = Files.writeString(tmp.resolve("broken-results.json"), "[{\"image_id\": 1, \"category_id\": ");
        Run malformed = run("eval", "--gt", gt.toString(), "--dt", bad.toString());
        assertEquals(2, malformed.code(), malformed::toString);
        assertTrue(malformed.err().startsWith(CliErrors.PREFIX + "broken-results.json"), malformed::toString);
        assertFalse(malformed.err().contains("\tat "), malformed::toString);  // no stack trace without --verbose

        Run verbose = run("eval", "--gt", gt.toString(), "--dt", bad.toString(), "--verbose");
        assertEquals(2, verbose.code(), verbose::toString);
        assertTrue(verbose.err().contains("\tat org.detrdistill"), verbose::toString);

        Run noFile = run("eval", "--gt", tmp.resolve("nope.json").toString(), "--dt", bad.toString());
        assertEquals(2, noFile.code(), noFile::toString);
        assertTrue(noFile.err().contains("no such file or directory") && noFile.err().contains("nope.json")
                && noFile.err().contains("--gt"), noFile::toString);

        Run half = run("eval", "--gt", gt.toString());
        assertEquals(2, half.code(), half::toString);
        assertTrue(half.err().contains("--dt"), half::toString);
    }

    @Test
    void configPrintsAValidatedConfigWithOverrides() throws IOException {
        Run plain = run("config", "--variant", "conditional_detr");
        assertEquals(0, plain.code(), plain::toString);
        assertEquals(DetectorConfig.builder(Variant.CONDITIONAL_DETR).build(), DetectorConfig.fromJson(plain.out(), "stdout"));

        Path file = tmp.resolve("cfg.json");
        Run set = run("config", "--variant", "deformable_detr", "--set", "hiddenDim=64", "--set", "heads=4",
                "--set", "backbone=tiny", "--set", "deformable.numLevels=2", "--out", file.toString());
        assertEquals(0, set.code(), set::toString);
        DetectorConfig c = DetectorConfig.fromJson(set.out(), "stdout");
        assertEquals(64, c.hiddenDim());
        assertEquals(4, c.heads());
        assertEquals(2, c.deformable().numLevels());
        assertEquals(BackboneConfig.preset("tiny"), c.backbone());

        Run reread = run("config", "--file", file.toString());          // --out wrote it; --file validates and re-prints
        assertEquals(0, reread.code(), reread::toString);
        assertEquals(c, DetectorConfig.fromJson(reread.out(), "stdout"));
    }

    @Test
    void configFailsFastOnUnknownNamesAndBadFiles() throws IOException {
        Run variant = run("config", "--variant", "yolo");
        assertEquals(2, variant.code(), variant::toString);
        assertTrue(variant.err().contains("'yolo'") && variant.err().contains("deformable_detr, conditional_detr, adamixer"),
                variant::toString);

        Run field = run("config", "--variant", "adamixer", "--set", "hiddenDimm=64");
        assertEquals(2, field.code(), field::toString);
        assertTrue(field.err().contains("'hiddenDimm'") && field.err().contains("hiddenDim,"), field::toString);

        Run preset = run("config", "--variant", "adamixer", "--set", "backbone=resnet5");
        assertEquals(2, preset.code(), preset::toString);
        assertTrue(preset.err().contains("resnet50"), preset::toString);

        Run value = run("config", "--variant", "adamixer", "--set", "encoderLayers=2");
        assertEquals(2, value.code(), value::toString);
        assertTrue(value.err().contains("encoderLayers"), value::toString);

        Path bad = Files.writeString(tmp.resolve("broken-config.json"), "{\"variant\": \"adamixer\", ");
        Run malformed = run("config", "--file", bad.toString());
        assertEquals(2, malformed.code(), malformed::toString);
        assertTrue(malformed.err().contains(bad.toString()), malformed::toString);

        Run both = run("config", "--variant", "adamixer", "--file", bad.toString());
        assertEquals(2, both.code(), both::toString);                    // mutually exclusive
        assertTrue(both.err().contains("mutually exclusive"), both::toString);
    }

    @Test
    void topLevelUsageVersionAndHelp() {
        Run none = run();
        assertEquals(2, none.code(), none::toString);
        assertTrue(none.err().contains("Usage: detr-distill") && none.err().contains("synth"), none::toString);

        Run version = run("--version");
        assertEquals(0, version.code(), version::toString);
        assertTrue(version.out().startsWith("detr-distill 0."), version::toString);

        Run help = run("eval", "--help");
        assertEquals(0, help.code(), help::toString);
        assertTrue(help.out().contains("--gt=FILE") && help.out().contains("--per-category"), help::toString);

        Run unknown = run("train");
        assertEquals(2, unknown.code(), unknown::toString);
        assertTrue(unknown.err().contains("train"), unknown::toString);
    }

    @Test
    void envLoadsTheBackendAndReportsTheInstall() {
        Run env = run("env");
        assertEquals(0, env.code(), env::toString);
        assertTrue(env.out().contains("backend:") && env.out().contains("ND4J CPU backend"), env::toString);
        assertTrue(env.out().contains("OpenMP thread(s)") && env.out().contains("cores:"), env::toString);
        assertTrue(env.err().isEmpty(), env::toString);                 // the runtime line is part of the report
    }
}
