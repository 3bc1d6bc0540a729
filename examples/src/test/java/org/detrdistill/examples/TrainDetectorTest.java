package org.detrdistill.examples;

import org.detrdistill.core.internal.dl4j.GradientLogFilter;
import org.detrdistill.core.train.JsonLinesMetrics;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@link TrainDetector} with a tiny budget: 4 + 2 generated images, two epochs of one step, evaluations, the run folder. */
class TrainDetectorTest {
    @TempDir Path tmp;

    @Test
    void trainsEvaluatesAndLeavesARunFolder() throws Exception {
        GradientLogFilter.install();
        CocoEvaluation ev = TrainDetector.train(tmp, 4, 2, 2, 0);   // 2 epochs of one batch (of 4 images)
        assertEquals(2, ev.imageCount());
        double ap = ev.stats().ap();
        assertTrue(ap >= 0 && ap <= 1, "AP " + ap);
        Path run = tmp.resolve("run");
        for (String f : List.of("last.zip", "best.zip", "detector.json", "metrics.jsonl", "loss.png", "ap.png", "categories.json")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        var steps = JsonLinesMetrics.read(run.resolve("metrics.jsonl")).stream()
                .filter(r -> r.get("type").asText().equals("step")).toList();
        assertEquals(2, steps.size());
        assertEquals(8e-4, steps.get(0).get("lr").asDouble(), 1e-12);
        assertEquals(8e-5, steps.get(1).get("lr").asDouble(), 1e-12, "dropped tenfold for the last epoch");
        TrainedDetector back = TrainedDetector.load(run);
        assertEquals(6, back.detector().config().numClasses());
        assertEquals("red_circle", back.categories().orElseThrow().nameOf(0));
    }
}
