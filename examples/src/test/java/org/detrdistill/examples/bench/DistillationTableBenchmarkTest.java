package org.detrdistill.examples.bench;

import org.detrdistill.core.internal.dl4j.GradientLogFilter;
import org.detrdistill.distill.DistillTermRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link DistillationTableBenchmark} with a tiny budget: a 2-step teacher, then student alone and + logits for 2 steps
 * at one seed on 6 synthetic 48×48 images; a third row names a term the registry lacks and must show n/a. A second
 * invocation must reuse every run.
 */
class DistillationTableBenchmarkTest {
    @TempDir Path tmp;

    @BeforeAll
    static void quiet() { GradientLogFilter.install(); }

    @Test
    void writesTheTableAndChartAndReusesRuns() throws Exception {
        TableOptions options = TableOptions.parse("--seeds=7", "--teacher-iterations=2", "--student-iterations=2",
                "--train=6", "--val=3", "--size=48", "--batch=2", "--eval-every=0", "--rows=student,logits,fitnet",
                "--out=" + tmp.resolve("table"));
        // kd_logits only: the FitNet row names a term this registry does not hold
        DistillTermRegistry.Entry logits = DistillTermRegistry.standard().entry("kd_logits");
        DistillTermRegistry registry = DistillTermRegistry.builder()
                .register(logits.name(), logits.defaultLambda(), logits.description(), logits.factory()).build();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DistillationTableBenchmark.Outcome first;
        try (PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            first = DistillationTableBenchmark.run(options, registry, log);
        }
        String log1 = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(log1);

        assertTrue(first.teacher().ok(), first.teacher().status());
        assertEquals(2, first.teacher().steps());
        assertEquals(3, first.results().size());
        for (TableRunResult r : first.results().subList(0, 2)) {
            assertTrue(r.ok(), r.row() + ": " + r.status());
            assertEquals(2, r.steps(), r.row());
            assertEquals(7, r.seed());
            assertTrue(r.ap() >= 0 && r.ap() <= 1, r.row() + " AP " + r.ap());
            assertTrue(r.threadCpuSeconds() > 0 && r.wallSeconds() > 0, r.row());
            assertTrue(r.lossesLast().containsKey("det"), r.lossesLast().toString());
        }
        assertTrue(first.results().get(1).lossesLast().containsKey("kd_logits"), "the logits term is logged per family");
        assertEquals("n/a (term not registered: fitnet)", first.results().get(2).status());

        String md = Files.readString(first.markdown());
        assertTrue(md.contains("| teacher |"), md);
        assertTrue(md.contains("| student alone | – |"), md);
        assertTrue(md.contains("| + logits | kd_logits 1 |"), md);
        assertTrue(md.contains("| FitNet | fitnet 1 | n/a (term not registered: fitnet) |"), md);
        byte[] png = Files.readAllBytes(first.chart());
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
        Path teacherDir = tmp.resolve("table/teacher"), run = tmp.resolve("table/runs/logits/seed-7");
        assertTrue(Files.isRegularFile(teacherDir.resolve("last.zip")));
        assertTrue(Files.readString(run.resolve("metrics.jsonl")).contains("kd_logits_0"), "per-term losses in the metrics");
        long metricsLines = Files.readAllLines(run.resolve("metrics.jsonl")).size();

        // the same options again: everything is reused, nothing is trained
        bytes.reset();
        DistillationTableBenchmark.Outcome second;
        try (PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            second = DistillationTableBenchmark.run(options, registry, log);
        }
        String log2 = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log2.contains("teacher: reusing"), log2);
        assertTrue(log2.contains("student seed 7: reusing") && log2.contains("logits seed 7: reusing"), log2);
        assertFalse(log2.contains("training"), log2);
        assertEquals(metricsLines, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        for (int i = 0; i < 2; i++) assertEquals(first.results().get(i), second.results().get(i));

        // another teacher budget in the same folder: refused, the teacher is kept
        TableOptions longer = TableOptions.parse("--seeds=7", "--teacher-iterations=3", "--student-iterations=2",
                "--train=6", "--val=3", "--size=48", "--batch=2", "--eval-every=0", "--rows=logits",
                "--out=" + tmp.resolve("table"));   // a row that needs the teacher (student alone does not load it)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistillationTableBenchmark.run(longer, registry, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("holds a teacher trained with other settings"), e.getMessage());
    }

    @Test
    void optionsFailFastNamingTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TableOptions.parse("--rows=student,nope"))
                .getMessage().contains("unknown row 'nope'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TableOptions.parse("--colour=red"))
                .getMessage().contains("unknown option --colour"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TableOptions.parse("--lambda=fitnet.mgd=1"))
                .getMessage().contains("expected ROW.TERM"));
        TableOptions o = TableOptions.parse("--lambda=all.kd_feat=0.5", "--rows=student,all");
        assertEquals(List.of("student", "all"), o.selectedRows().stream().map(TableRow::key).toList());
        assertEquals(0.5, o.selectedRows().get(1).terms().get("kd_feat"));
        assertEquals(1.0, o.selectedRows().get(1).terms().get("kd_logits"));
    }
}
