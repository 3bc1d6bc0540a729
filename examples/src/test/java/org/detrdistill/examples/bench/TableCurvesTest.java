package org.detrdistill.examples.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Learning curves from the runs' {@code metrics.jsonl}: means per step, paired differences, the markdown, bad records. */
class TableCurvesTest {
    @TempDir Path runs;

    private TableRunResult run(String row, long seed, double... stepAp) throws IOException {
        Path dir = Files.createDirectories(runs.resolve(row).resolve("seed-" + seed));
        StringBuilder b = new StringBuilder("{\"type\":\"step\",\"step\":0,\"loss\":3.0}\n");
        for (int i = 0; i < stepAp.length; i += 2) {
            b.append(String.format(java.util.Locale.ROOT, "{\"type\":\"eval\",\"epoch\":%d,\"step\":%d,\"metrics\":{\"AP\":%s,\"AP50\":0.5}}%n",
                    i, (long) stepAp[i], stepAp[i + 1]));
        }
        Files.writeString(dir.resolve("metrics.jsonl"), b.toString());
        return new TableRunResult(row, seed, TableRunResult.OK, stepAp[stepAp.length - 1], 0, 0, 10, 0, 0, 0, 0, Map.of(), Map.of(), "");
    }

    @Test
    void meansAndPairedDifferencesPerStep() throws IOException {
        List<TableRow> rows = List.of(TableRow.standard().get(0), TableRow.standard().get(1));   // student, + logits
        List<TableRunResult> results = List.of(
                run("student", 1, 500, 0.02, 1000, 0.06), run("student", 2, 500, 0.04, 1000, 0.08),
                run("logits", 1, 500, 0.05, 1000, 0.07), run("logits", 2, 500, 0.03, 1000, 0.11),
                TableRunResult.without("logits", 3, "failed: boom", ""));
        TableCurves c = TableCurves.read(runs, rows, results);
        assertEquals(List.of(500L, 1000L), List.copyOf(c.steps()));
        assertEquals(0.03, c.at("student", 500).mean(), 1e-12);
        assertEquals(0.09, c.at("logits", 1000).mean(), 1e-12);
        assertEquals(2, c.at("logits", 1000).n());
        assertEquals(0.01, c.deltaAt("logits", 500).mean(), 1e-12, "(+0.03, -0.01) per seed");
        assertEquals(0.02, c.deltaAt("logits", 1000).mean(), 1e-12);
        String md = c.markdown();
        assertTrue(md.contains("| method | AP @500 | AP @1000 |"), md);
        assertTrue(md.contains("| student alone | 3.0 | 7.0 |"), md);
        assertTrue(md.contains("| + logits | 4.0 (+1.0) | 9.0 (+2.0) |"), md);
    }

    @Test
    void noEvaluationsGiveNoTableAndBadRecordsNameTheLine() throws IOException {
        List<TableRow> rows = List.of(TableRow.standard().get(0));
        assertEquals("", TableCurves.read(runs, rows, List.of()).markdown());
        Path dir = Files.createDirectories(runs.resolve("student").resolve("seed-1"));
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"type\":\"step\"}\n{\"type\":\"eval\",\"step\":5,\"metrics\":{}}\n");
        TableRunResult r = new TableRunResult("student", 1, TableRunResult.OK, 0, 0, 0, 5, 0, 0, 0, 0, Map.of(), Map.of(), "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableCurves.read(runs, rows, List.of(r)));
        assertTrue(e.getMessage().contains("metrics.jsonl line 2") && e.getMessage().contains("metrics.AP"), e.getMessage());
    }
}
