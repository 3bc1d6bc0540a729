package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Console progress bar, JSON-lines metrics and loss/AP charts. */
class ListenersTest {

    private static StepMetrics step(long s, double total, double bbox) {
        return new StepMetrics(s, 0, total, Map.of("loss_bbox", bbox, "loss_bbox_0", 9.0, "loss_ce", total - bbox),
                Map.of("loss_bbox", bbox / 5), 2e-4, 1.5, 4.0);
    }

    @Test
    void progressBarRendersCountsEtaAndSmoothedLosses() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), 100, true, 0.5, 10);
        p.onStepEnd(step(0, 2.0, 0.5));
        assertEquals(2.0, p.smoothed("loss"), 1e-15, "bias-corrected EMA of one value is the value");
        p.onStepEnd(step(1, 1.0, 0.25));
        // EMA beta 0.5: s = 0.5*(0.5*2) + 0.5*1 = 1.0 ... bias-corrected: (0.5*1 + 0.5) / (1 - 0.25) = 4/3
        assertEquals(4.0 / 3, p.smoothed("loss"), 1e-15);
        assertTrue(Double.isNaN(p.smoothed("loss_bbox_0")), "auxiliary terms are not tracked");
        String line = p.render(step(49, 1.0, 0.25));
        assertTrue(line.startsWith("ep 0 [=====>    ]  50/100  50.0% | 4.00 it/s | ETA 0:00:13 | lr 2.0e-04 | loss "), line);
        assertTrue(line.contains(" bbox ") && line.contains(" ce ") && !line.contains("bbox_0"), line);
        p.onEpochEnd(0, 2);
        p.onTrainEnd(2, null);
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("\rep 0 ["), printed);
        assertTrue(printed.contains("\nepoch 0 done at step 2") && printed.endsWith("training finished at step 2\n"), printed);
        assertEquals("27:46:40", ConsoleProgress.duration(100_000));
    }

    @Test
    void progressBarOffPrintsNothing() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(buf), 10, false, 0.9, 10);
        p.onStepEnd(step(0, 1, 0.5));
        p.onEval(new EvalStats(1, 0, Map.of("AP", 0.5)));
        p.onTrainEnd(1, new IllegalStateException("x"));
        assertEquals(0, buf.size());
        String before = System.getProperty(ConsoleProgress.DISABLE_PROPERTY);
        System.setProperty(ConsoleProgress.DISABLE_PROPERTY, "true");
        try {
            assertFalse(ConsoleProgress.auto(10).enabled());
        } finally {
            if (before == null) System.clearProperty(ConsoleProgress.DISABLE_PROPERTY); else System.setProperty(ConsoleProgress.DISABLE_PROPERTY, before);
        }
    }

    @Test
    void metricsFileHasOneObjectPerRecordAndAppends(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("logs/metrics.jsonl");
        try (JsonLinesMetrics m = new JsonLinesMetrics(f)) {
            m.onStepEnd(step(0, 2.0, 0.5));
            m.onStepEnd(new StepMetrics(1, 0, Double.NaN, Map.of("loss_ce", Double.POSITIVE_INFINITY), Map.of(), 2e-4, Double.NaN, 3));
            m.onEpochEnd(0, 2);
        }
        try (JsonLinesMetrics m = new JsonLinesMetrics(f)) {
            m.onEval(new EvalStats(2, 0, Map.of("AP", 0.25)));
            m.onTrainEnd(2, new NonFiniteException(3, "loss_ce", Double.NaN));
        }
        List<JsonNode> r = JsonLinesMetrics.read(f);
        assertEquals(List.of("step", "step", "epoch_end", "eval", "train_end"), r.stream().map(n -> n.get("type").asText()).toList());
        assertEquals(0.5, r.get(0).get("weighted").get("loss_bbox").asDouble());
        assertEquals(0.1, r.get(0).get("unweighted").get("loss_bbox").asDouble(), 1e-15);
        assertEquals(2e-4, r.get(0).get("lr").asDouble());
        assertTrue(r.get(1).get("loss").isNull() && r.get(1).get("weighted").get("loss_ce").isNull() && r.get(1).get("grad_norm").isNull());
        assertEquals(0.25, r.get(3).get("metrics").get("AP").asDouble());
        assertTrue(r.get(4).get("failure").asText().contains("step 3"));
        assertEquals(5, Files.readAllLines(f).size());

        Files.writeString(f, "{\"type\":\"step\",\"st", StandardOpenOption.APPEND);
        assertEquals(5, JsonLinesMetrics.read(f).size(), "a torn last line is skipped");
        Files.writeString(f, "\n{\"type\":\"eval\"}\n", StandardOpenOption.APPEND);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonLinesMetrics.read(f));
        assertTrue(e.getMessage().contains("line 6") && e.getMessage().contains("metrics.jsonl"), e.getMessage());
    }

    @Test
    void chartsAreValidPngsAndReplayKeepsTheLastRecordOfAStep(@TempDir Path dir) throws Exception {
        Path loss = dir.resolve("loss.png"), ap = dir.resolve("ap.png"), jsonl = dir.resolve("m.jsonl");
        TrainingCurves curves = new TrainingCurves(loss, ap, 640, 400);
        try (JsonLinesMetrics m = new JsonLinesMetrics(jsonl)) {
            List<TrainingListener> ls = List.of(curves, m);
            for (int s = 0; s < 30; s++) {
                StepMetrics sm = step(s, 2.0 / (1 + s), 0.5 / (1 + s));
                ls.forEach(l -> l.onStepEnd(sm));
                if (s % 10 == 9) {
                    int epoch = s / 10;
                    long next = s + 1;
                    EvalStats ev = new EvalStats(next, epoch, Map.of("AP", 0.1 * (epoch + 1), "AP50", 0.2 * (epoch + 1), "APs", -1.0));
                    ls.forEach(l -> l.onEpochEnd(epoch, next));
                    ls.forEach(l -> l.onEval(ev));
                }
            }
            for (int s = 20; s < 30; s++) m.onStepEnd(step(s, 1.0, 0.1)); // a resumed run re-logs steps 20..29
        }
        curves.onTrainEnd(30, null);
        assertPng(loss, 640, 400);
        assertPng(ap, 640, 400);
        assertEquals(30, curves.stepCount());
        assertEquals(3, curves.evalCount());

        Path loss2 = dir.resolve("replay/loss.png"), ap2 = dir.resolve("replay/ap.png");
        TrainingCurves replay = TrainingCurves.fromMetricsFile(jsonl, loss2, ap2);
        assertEquals(30, replay.stepCount());
        assertEquals(3, replay.evalCount());
        assertPng(loss2, 900, 540);
        assertPng(ap2, 900, 540);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void binningAveragesConsecutivePoints() {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < 2500; i++) pts.add(new double[] {i, i % 2});
        List<double[]> b = TrainingCurves.binned(pts);
        assertEquals(834, b.size());
        assertEquals(1.0, b.get(0)[0], 1e-12);
        assertEquals(1.0 / 3, b.get(0)[1], 1e-12);
        assertEquals(2499, b.get(b.size() - 1)[0], 1e-12);
        Map<String, Double> none = new LinkedHashMap<>();
        assertEquals(0, new TrainingCurves(null, null).stepCount() + none.size());
    }

    private static void assertPng(Path f, int w, int h) throws Exception {
        assertTrue(Files.exists(f), f.toString());
        BufferedImage img = ImageIO.read(f.toFile());
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
    }
}
