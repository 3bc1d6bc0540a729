package org.detrdistill.examples;

import org.detrdistill.datasets.eval.CocoEvaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link EvaluateCoco} on a hand-made pair whose stats are worked out by hand. */
class EvaluateCocoTest {
    @TempDir
    Path tmp;

    /**
     * One image, two ground-truth boxes of one category; one detection hits box A exactly (score 0.9) and one hits
     * nothing (0.8). Ranked: TP then FP, so recall reaches 0.5 at precision 1 and never more. The 101-point
     * interpolated precision is 1 at the recall thresholds 0.00..0.50 (51 of them) and 0 above, at every IoU threshold
     * (the hit is exact): AP = AP50 = AP75 = 51/101. AR1 = AR100 = 0.5. Both boxes are small (area < 32^2), so APs
     * equals AP and APm/APl are -1.
     */
    @Test
    void printsTheStatsTableOfATinyHandComputedPair() throws Exception {
        Path gt = Files.writeString(tmp.resolve("gt.json"), """
                {"images": [{"id": 1, "width": 100, "height": 100, "file_name": "a.jpg"}],
                 "categories": [{"id": 1, "name": "box"}],
                 "annotations": [
                   {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "area": 400, "iscrowd": 0},
                   {"id": 2, "image_id": 1, "category_id": 1, "bbox": [50, 50, 30, 30], "area": 900, "iscrowd": 0}]}
                """);
        Path dt = Files.writeString(tmp.resolve("dt.json"), """
                [{"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9},
                 {"image_id": 1, "category_id": 1, "bbox": [0, 70, 10, 10], "score": 0.8}]
                """);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CocoEvaluation ev;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ev = EvaluateCoco.evaluate(gt, dt, out);
        }
        double ap = 51.0 / 101.0;
        assertEquals(ap, ev.stats().ap(), 1e-12);
        assertEquals(ap, ev.stats().ap50(), 1e-12);
        assertEquals(ap, ev.stats().ap75(), 1e-12);
        assertEquals(ap, ev.stats().apSmall(), 1e-12);
        assertEquals(-1.0, ev.stats().apMedium());
        assertEquals(0.5, ev.stats().ar1(), 1e-12);
        assertEquals(0.5, ev.stats().ar100(), 1e-12);

        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(12, lines.length);
        assertEquals(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505", lines[0]);
        assertTrue(lines[4].endsWith("= -1.000"), lines[4]);
        assertEquals(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.500", lines[6]);
    }
}
