package org.detrdistill.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.detrdistill.examples.cli.DetrDistillCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code demo} end to end with a tiny dataset and a few seconds of training; a second run replaces the first. */
class DemoCliTest {
    @TempDir Path tmp;

    @Test
    void runsThePipelineAndReplacesOnlyItsOwnFolder() throws Exception {
        Path work = tmp.resolve("demo");
        String[] args = {"demo", "--work", work.toString(), "--minutes", "0.02", "--train", "4", "--val", "2", "--draw", "2",
                "--no-progress"};
        DetrDistillCliTest.Run r = run(args);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("detr-distill demo: conditional_detr, "), r::toString);
        assertEquals(12, r.out().lines().filter(l -> l.startsWith(" Average")).count(), r::toString);
        assertTrue(r.out().contains("predictions:") && r.out().contains("detr-distill eval --checkpoint"), r::toString);
        assertTrue(r.err().contains("stopped") || r.err().contains("epoch 0"), r::toString);
        assertEquals(r.out(), Files.readString(work.resolve("demo.txt")));
        for (String f : new String[] {"data/annotations/instances_val.json", "run/last.zip", "run/best.zip", "run/loss.png",
                "run/categories.json", "predictions/results.json"}) {
            assertTrue(Files.isRegularFile(work.resolve(f)), f);
        }
        try (Stream<Path> pngs = Files.list(work.resolve("predictions")).filter(p -> p.toString().endsWith(".png"))) {
            assertEquals(2, pngs.count());
        }

        Files.writeString(work.resolve("mine.txt"), "keep");
        DetrDistillCliTest.Run again = run(args);
        assertEquals(0, again.code(), again::toString);
        assertEquals("keep", Files.readString(work.resolve("mine.txt")), "only the demo's own files are replaced");

        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("x.txt"), "x");
        DetrDistillCliTest.Run refused = run("demo", "--work", foreign.toString(), "--minutes", "0.02");
        assertEquals(2, refused.code(), refused::toString);
        assertTrue(refused.err().contains("not a previous demo"), refused::toString);
        DetrDistillCliTest.Run badVariant = run("demo", "--work", tmp.resolve("v").toString(), "--variant", "yolo");
        assertEquals(2, badVariant.code(), badVariant::toString);
        assertTrue(badVariant.err().contains("valid variants"), badVariant::toString);
    }
}
