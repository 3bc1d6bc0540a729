package org.detrdistill.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.detrdistill.examples.cli.DetrDistillCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code demo} end to end with a tiny dataset and a few steps per run: teacher, the three students, the AP table and
 * the drawings; then {@code --skip-distill} replaces the folder (only the demo's own parts), and the refusals.
 */
class DemoCliTest {
    @TempDir Path tmp;

    @Test
    void runsTheTeacherAndTheThreeStudentsAndPrintsTheTable() throws Exception {
        Path work = tmp.resolve("demo");
        DetrDistillCliTest.Run r = run("demo", "--work", work.toString(), "--train", "4", "--val", "2", "--draw", "2",
                "--teacher-steps", "2", "--student-steps", "1", "--no-progress");
        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("detr-distill demo: conditional_detr, 4 + 2 synthetic images"), r::toString);
        assertTrue(lines.get(1).matches("run +params +steps +train s +CPU s +AP +AP50 +AP75"), r::toString);
        assertTrue(lines.get(2).matches("teacher +[0-9,]+ +2 .*"), r::toString);
        assertTrue(lines.get(3).matches("student \\(no KD\\) +[0-9,]+ +1 .*"), r::toString);
        assertTrue(lines.get(4).matches("student \\+ DETRDistill +[0-9,]+ +1 .*"), r::toString);
        assertTrue(lines.get(5).matches("student \\+ Teach-DETR +[0-9,]+ +1 .*"), r::toString);
        long teacherParams = Long.parseLong(lines.get(2).split(" +")[1].replace(",", ""));
        long studentParams = Long.parseLong(lines.get(3).split(" +")[3].replace(",", ""));
        assertTrue(studentParams < teacherParams, "the student is the smaller model: " + lines);
        assertEquals(lines.get(3).split(" +")[3], lines.get(4).split(" +")[3], "distillation adds no parameter to the student's count");
        assertEquals(12, r.out().lines().filter(l -> l.startsWith(" Average")).count(), r::toString);
        assertTrue(r.err().contains("teacher: native conditional_detr") && r.err().contains("terms: teach_detr"), r::toString);
        assertEquals(r.out(), Files.readString(work.resolve("demo.txt")));
        for (String run : List.of("teacher", "student", "student-detrdistill", "student-teach-detr")) {
            for (String f : List.of("last.zip", "best.zip", "metrics.jsonl", "categories.json")) {
                assertTrue(Files.isRegularFile(work.resolve("runs").resolve(run).resolve(f)), run + "/" + f);
            }
        }
        assertTrue(Files.isRegularFile(work.resolve("runs/student-detrdistill/distill.json")));
        try (Stream<Path> dirs = Files.list(work.resolve("predictions"))) {
            List<Path> drawn = dirs.toList();
            assertEquals(2, drawn.size(), "the teacher and the best student: " + drawn);
            for (Path d : drawn) {
                assertTrue(Files.isRegularFile(d.resolve("results.json")), d::toString);
                try (Stream<Path> pngs = Files.list(d).filter(p -> p.toString().endsWith(".png"))) {
                    assertEquals(2, pngs.count(), d::toString);
                }
            }
        }

        Files.writeString(work.resolve("mine.txt"), "keep");
        DetrDistillCliTest.Run again = run("demo", "--work", work.toString(), "--train", "4", "--val", "2", "--draw", "0",
                "--skip-distill", "--teacher-steps", "1", "--no-progress");
        assertEquals(0, again.code(), again::toString);
        assertEquals("keep", Files.readString(work.resolve("mine.txt")), "only the demo's own files are replaced");
        assertFalse(Files.exists(work.resolve("runs/student")), "the previous students are gone");
        assertEquals(3, again.out().lines().takeWhile(l -> !l.startsWith("COCO")).count(), again::toString);

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
