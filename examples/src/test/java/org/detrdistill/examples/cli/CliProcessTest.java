package org.detrdistill.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link DetrDistillCli#main} in child JVMs, as {@code bin/detr-distill} does: the process exit codes, and that
 * {@code synth}, {@code eval} of files and {@code config} never load ND4J or JavaCPP (checked in the JVM's class-load
 * log), so they start fast.
 */
class CliProcessTest {
    private static final List<String> NATIVE_CLASSES =
            List.of("org.nd4j.linalg.factory.Nd4j ", "org.bytedeco.javacpp.Loader ", "org.detrdistill.core.runtime.NativeRuntime ");

    @TempDir
    Path tmp;

    /** Exit code and class-load log of one child JVM. */
    private record Child(int code, String classLog, String output) {}

    private Child launch(String name, String... args) throws IOException, InterruptedException {
        Path log = tmp.resolve(name + "-classes.log");
        Path output = tmp.resolve(name + "-output.txt");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                DetrDistillCli.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish: " + cmd);
        return new Child(p.exitValue(), Files.readString(log), Files.readString(output));
    }

    private static void assertNoNativeRuntime(Child c, String marker) {
        assertTrue(c.classLog().contains(marker), "class log misses " + marker + ": is -Xlog working?");
        for (String cls : NATIVE_CLASSES) assertFalse(c.classLog().contains(cls), cls + "was loaded:\n" + c.output());
    }

    @Test
    void synthEvalAndConfigRunWithoutNd4jAndExitWithTheirCodes() throws Exception {
        Path ds = tmp.resolve("ds");
        Child synth = launch("synth", "synth", "--out", ds.toString(), "--train", "1", "--val", "2", "--size", "48x48");
        assertEquals(0, synth.code(), synth.output());
        assertNoNativeRuntime(synth, "org.detrdistill.datasets.synth.SyntheticCocoGenerator ");

        Path gt = ds.resolve("annotations/instances_val.json");
        Path dt = Files.writeString(tmp.resolve("dt.json"), "[]");
        Child eval = launch("eval", "eval", "--gt", gt.toString(), "--dt", dt.toString());
        assertEquals(0, eval.code(), eval.output());
        assertTrue(eval.output().contains("Average Precision"), eval.output());
        assertNoNativeRuntime(eval, "org.detrdistill.datasets.eval.CocoEvaluator ");

        Child config = launch("config", "config", "--variant", "nope");
        assertEquals(2, config.code(), config.output());
        assertTrue(config.output().startsWith(CliErrors.PREFIX), config.output());
        assertNoNativeRuntime(config, "org.detrdistill.core.model.Variant ");

        Child usage = launch("usage", "eval", "--bogus");
        assertEquals(2, usage.code(), usage.output());
    }
}
