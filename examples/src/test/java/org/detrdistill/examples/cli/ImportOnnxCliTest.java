package org.detrdistill.examples.cli;

import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.onnx.OnnxOutputMapping;
import org.detrdistill.core.onnx.OnnxTeacherBundle;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.TeacherLoader;
import org.detrdistill.distill.TeacherOutputs;
import org.detrdistill.distill.TeacherSpec;
import org.detrdistill.distill.teacher.NativeTeacher;
import org.detrdistill.distill.teacher.OnnxTeacher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.detrdistill.examples.cli.DetrDistillCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code import-onnx} in-process on two fixtures: the official Deformable DETR export (native route: config from the
 * weights + {@code --set heads=8}, verification, checkpoint loaded as a {@link NativeTeacher}) and the exporter's demo
 * model (graph route: one graph import, verification, bundle loaded as an {@link OnnxTeacher}), plus the refusals
 * (missing heads, contradicting {@code --set}, unknown output names, tolerance exceeded, bad or existing files).
 */
class ImportOnnxCliTest {
    @TempDir Path tmp;

    private static Path fixture(String group, String name) {
        try {
            return Path.of(ImportOnnxCliTest.class.getResource("/fixtures/" + group + "/" + name + "/model.onnx").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Path DEFORMABLE = fixture("onnx_teachers", "deformable_detr");
    private static final Path DEMO = fixture("onnx_demo", "detr_demo_64");

    private static String[] deformable(Path out, String... more) {
        return Stream.concat(Stream.of("import-onnx", DEFORMABLE.resolve("model.onnx").toString(),
                "--verify-input", DEFORMABLE.resolve("input.npy").toString(),
                "--verify-outputs", DEFORMABLE.resolve("ref_outputs").toString(), "--out", out.toString()), Stream.of(more))
                .toArray(String[]::new);
    }

    private static void oneErrorLine(DetrDistillCliTest.Run r, String... contains) {
        List<String> errors = r.err().lines().filter(l -> l.startsWith(CliErrors.PREFIX)).toList();
        assertEquals(1, errors.size(), r::toString);
        for (String c : contains) assertTrue(errors.get(0).contains(c), "'" + c + "' in " + errors.get(0));
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose\n" + r);
    }

    private static DetectionBatch batch(INDArray images) {
        ImageTarget t = new ImageTarget(1, new int[] {2}, Nd4j.createFromArray(new float[][] {{0.5f, 0.5f, 0.3f, 0.3f}}),
                (int) images.size(2), (int) images.size(3), (int) images.size(2), (int) images.size(3));
        return new DetectionBatch(images, Nd4j.zeros(DataType.FLOAT, 1, images.size(2), images.size(3)), List.of(t));
    }

    @Test
    void nativeRouteWritesACheckpointThatLoadsAsATeacher() throws Exception {
        Path ckpt = tmp.resolve("teacher.zip");
        DetrDistillCliTest.Run r = run(deformable(ckpt, "--set", "heads=8"));
        assertEquals(0, r.code(), r::toString);
        String out = r.out();
        for (String s : List.of("inputs       images [1, 3, 128, 128] FLOAT", "memory [1, 340, 64] FLOAT",
                "values in 164 floating-point initializers; state_dict names kept", "GridSample 16",
                "route        native deformable_detr", "deformable.numLevels 4", "from the options: heads 8",
                "all 6 compared output(s) within the tolerance 1.0e-04", "native deformable_detr checkpoint")) {
            assertTrue(out.contains(s), "'" + s + "' in\n" + r);
        }
        assertEquals(6, out.lines().filter(l -> l.endsWith("  ok")).count(), r::toString);

        try (TeacherLoader loader = new TeacherLoader(null, MatcherConfig.deformableDetr())) {
            Teacher t = loader.load(TeacherSpec.of(ckpt));
            NativeTeacher teacher = assertInstanceOf(NativeTeacher.class, t);
            assertEquals(Variant.DEFORMABLE_DETR, teacher.config().variant());
            assertEquals(8, teacher.config().heads());
            assertEquals(4, teacher.config().deformable().decoderPoints());
            assertEquals(5, teacher.numClasses());
            TeacherOutputs o = teacher.run(batch(Nd4j.createFromNpyFile(DEFORMABLE.resolve("input.npy").toFile())));
            INDArray ref = Nd4j.createFromNpyFile(DEFORMABLE.resolve("ref_outputs/pred_logits.npy").toFile());
            double d = o.get(DetectorNames.LOGITS).castTo(DataType.DOUBLE).sub(ref.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertTrue(d < 1e-4, "the loaded teacher reproduces the export: " + d);
        }
    }

    @Test
    void verificationOverTheToleranceFailsAndWritesNothing() {
        Path ckpt = tmp.resolve("strict.zip");
        DetrDistillCliTest.Run r = run(deformable(ckpt, "--set", "heads=8", "--tolerance", "1e-9"));
        assertEquals(DetrDistillCli.EXIT_FAILURE, r.code(), r::toString);
        oneErrorLine(r, "verification failed", "pred_logits differs by", "tolerance 1.0e-09", "nothing written");
        assertTrue(r.out().contains("FAIL"), r::toString);
        assertFalse(Files.exists(ckpt));
    }

    @Test
    void theNativeRouteNeedsTheHeadsAndRefusesSettingsTheWeightsContradict() {
        DetrDistillCliTest.Run noHeads = run(deformable(tmp.resolve("a.zip")));
        assertEquals(DetrDistillCli.EXIT_USAGE, noHeads.code(), noHeads::toString);
        oneErrorLine(noHeads, "the weights do not determine [heads]", "--set heads=N", "--route graph");

        DetrDistillCliTest.Run contradict = run(deformable(tmp.resolve("b.zip"), "--set", "heads=8", "--set", "numQueries=50"));
        assertEquals(DetrDistillCli.EXIT_USAGE, contradict.code(), contradict::toString);
        oneErrorLine(contradict, "--set numQueries=50 contradicts the weights", "numQueries 50 -> 10");

        DetrDistillCliTest.Run variant = run(deformable(tmp.resolve("c.zip"), "--variant", "conditional_detr", "--set", "heads=8"));
        assertEquals(DetrDistillCli.EXIT_USAGE, variant.code(), variant::toString);
        oneErrorLine(variant, "carries the parameter names of deformable_detr", "conditional_detr");
        assertFalse(Files.exists(tmp.resolve("a.zip")) || Files.exists(tmp.resolve("b.zip")) || Files.exists(tmp.resolve("c.zip")));
    }

    @Test
    void graphRouteWritesABundleThatLoadsAsAnOnnxTeacher() throws Exception {
        Path bundle = tmp.resolve("demo_teacher.zip");
        DetrDistillCliTest.Run r = run("import-onnx", DEMO.resolve("model.onnx").toString(),
                "--verify-input", DEMO.resolve("input.npy").toString(), "--verify-outputs", DEMO.resolve("ref_outputs").toString(),
                "--out", bundle.toString());
        assertEquals(0, r.code(), r::toString);
        for (String s : List.of("inputs       images [1, 3, 64, 64] FLOAT", "feature_0 [1, 32, 2, 2] FLOAT", "parameters",
                "ops          26 op types: Constant 227", "features[0]=feature_0", "route        graph:",
                "rewrite rules applied:", "teach_detr, kd_logits, kd_relation, kd_feat, fitnet, mgd available",
                "all 6 compared output(s) within the tolerance", "ONNX teacher bundle")) {
            assertTrue(r.out().contains(s), "'" + s + "' in\n" + r);
        }
        assertFalse(r.out().contains("--- Summary ---"), "the importer's graph dump is not printed");
        assertTrue(OnnxTeacherBundle.isBundle(bundle));

        try (TeacherLoader loader = new TeacherLoader(null, MatcherConfig.deformableDetr())) {
            OnnxTeacher t = assertInstanceOf(OnnxTeacher.class, loader.load(TeacherSpec.of(bundle)));
            assertEquals(List.of("feature_0"), t.graph().mapping().features());
            TeacherOutputs o = t.run(batch(Nd4j.createFromNpyFile(DEMO.resolve("input.npy").toFile())));
            INDArray ref = Nd4j.createFromNpyFile(DEMO.resolve("ref_outputs/pred_boxes.npy").toFile());
            double d = o.get(DetectorNames.BOXES).castTo(DataType.DOUBLE).sub(ref.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertTrue(d < 1e-4, "the bundle's teacher reproduces the export: " + d);
        }
        DetrDistillCliTest.Run again = run("import-onnx", DEMO.resolve("model.onnx").toString(), "--out", bundle.toString());
        assertEquals(DetrDistillCli.EXIT_USAGE, again.code(), again::toString);
        oneErrorLine(again, "already exists", bundle.toString(), "--force");
    }

    @Test
    void badFilesAndUnknownOutputNamesAreOneLineErrorsNamingThem() throws Exception {
        Path notOnnx = Files.writeString(tmp.resolve("model.onnx"), "this is not a protobuf");
        DetrDistillCliTest.Run bad = run("import-onnx", notOnnx.toString());
        assertEquals(DetrDistillCli.EXIT_USAGE, bad.code(), bad::toString);
        oneErrorLine(bad, "not an ONNX model", notOnnx.toString());

        DetrDistillCliTest.Run missing = run("import-onnx", tmp.resolve("nope.onnx").toString());
        assertEquals(DetrDistillCli.EXIT_USAGE, missing.code(), missing::toString);
        oneErrorLine(missing, "no such file", "nope.onnx");

        Path mapping = Files.writeString(tmp.resolve("mapping.json"), OnnxOutputMapping.builder().logits("pred_logits")
                .boxes("boxes_final").hidden("decoder_states").build().toJson());
        DetrDistillCliTest.Run unknown = run("import-onnx", DEMO.resolve("model.onnx").toString(), "--mapping", mapping.toString());
        assertEquals(DetrDistillCli.EXIT_USAGE, unknown.code(), unknown::toString);
        oneErrorLine(unknown, "boxes_final (boxes)", "decoder_states (hidden)", "its outputs are [pred_logits, pred_boxes");

        Path refs = Files.createDirectories(tmp.resolve("refs"));
        Files.copy(DEMO.resolve("ref_outputs/pred_logits.npy"), refs.resolve("pred_logits.npy"));
        Files.copy(DEMO.resolve("ref_outputs/pred_boxes.npy"), refs.resolve("final_boxes.npy"));
        DetrDistillCliTest.Run unknownRef = run("import-onnx", DEMO.resolve("model.onnx").toString(),
                "--verify-input", DEMO.resolve("input.npy").toString(), "--verify-outputs", refs.toString());
        assertEquals(DetrDistillCli.EXIT_USAGE, unknownRef.code(), unknownRef::toString);
        oneErrorLine(unknownRef, "[final_boxes.npy] name no output of the model", refs.toString());

        DetrDistillCliTest.Run half = run("import-onnx", DEMO.resolve("model.onnx").toString(), "--verify-input",
                DEMO.resolve("input.npy").toString());
        assertEquals(DetrDistillCli.EXIT_USAGE, half.code(), half::toString);
        oneErrorLine(half, "--verify-input and --verify-outputs go together");

        DetrDistillCliTest.Run setOnGraph = run("import-onnx", DEMO.resolve("model.onnx").toString(), "--set", "heads=4");
        assertEquals(DetrDistillCli.EXIT_USAGE, setOnGraph.code(), setOnGraph::toString);
        oneErrorLine(setOnGraph, "are for the native route", "imported as a graph");
    }
}
