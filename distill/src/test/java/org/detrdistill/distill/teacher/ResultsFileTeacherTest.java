package org.detrdistill.distill.teacher;

import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.detrdistill.datasets.coco.CategoryMap;
import org.detrdistill.datasets.coco.CocoCategory;
import org.detrdistill.datasets.coco.CocoImageInfo;
import org.detrdistill.datasets.eval.CocoResults;
import org.detrdistill.datasets.eval.DetectionResult;
import org.detrdistill.distill.TeacherOutputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The offline teacher: pixel xywh → cxcywh normalised by the image size, clipping, score threshold and the cap of 50
 * boxes per image, unknown images counted and skipped, unknown categories refused naming the file and entry.
 */
class ResultsFileTeacherTest {
    @TempDir Path tmp;

    // category ids 3 and 7 -> labels 0 and 1
    private static final CategoryMap CATEGORIES = CategoryMap.of(List.of(new CocoCategory(7, "b"), new CocoCategory(3, "a")));
    private static final List<CocoImageInfo> IMAGES = List.of(new CocoImageInfo(1, "a.jpg", 200, 100),
            new CocoImageInfo(2, "b.jpg", 50, 80), new CocoImageInfo(3, "c.jpg", 64, 64));

    private static DetectionBatch batch(long... ids) {
        List<ImageTarget> targets = new ArrayList<>();
        for (long id : ids) {
            CocoImageInfo info = IMAGES.stream().filter(i -> i.id() == id).findFirst()
                    .orElse(new CocoImageInfo(id, "x.jpg", 10, 10));
            targets.add(new ImageTarget(id, new int[0], Nd4j.create(DataType.FLOAT, 0, 4), 32, 32, info.height(), info.width()));
        }
        return new DetectionBatch(Nd4j.zeros(DataType.FLOAT, ids.length, 3, 32, 32), Nd4j.zeros(DataType.FLOAT, ids.length, 32, 32), targets);
    }

    private Path results() throws IOException {
        List<DetectionResult> r = new ArrayList<>();
        for (int i = 0; i < 60; i++) {   // image 1: scores 0.01 .. 0.60
            r.add(new DetectionResult(1, i % 2 == 0 ? 7 : 3, 10 + i, 20, 30, 40, (i + 1) / 100.0));
        }
        r.add(new DetectionResult(1, 7, 5, 5, 0, 10, 0.99));          // no width: skipped
        r.add(new DetectionResult(99, 7, 5, 5, 10, 10, 0.99));        // not an image of the dataset: skipped
        r.add(new DetectionResult(2, 3, 40, 70, 20, 20, 0.9));        // crosses the border of the 50x80 image: clipped
        r.add(new DetectionResult(2, 7, 0, 0, 25, 40, 0.5));
        r.add(new DetectionResult(2, 7, 25, 40, 25, 40, 0.5));        // tie with the previous one: input order kept
        r.add(new DetectionResult(2, 7, 1, 1, 5, 5, 0.04));           // under the threshold
        Path file = tmp.resolve("teacher.json");
        CocoResults.write(file, r);
        return file;
    }

    @Test
    void convertsFiltersAndCapsPerImage() throws Exception {
        ResultsFileTeacher t = ResultsFileTeacher.read(results(), CATEGORIES, IMAGES, BoxSelection.threshold(0.05));
        ResultsFileTeacher.LoadSummary s = t.summary();
        assertEquals(66, s.entries());
        assertEquals(1, s.unknownImages());
        assertEquals(1, s.degenerate());
        assertEquals(4 + 1, s.belowThreshold(), "image 1: 0.01..0.04; image 2: 0.04");
        assertEquals(6, s.overCap(), "image 1 has 56 boxes >= 0.05, the cap keeps 50");
        assertEquals(50 + 3, s.kept());
        assertTrue(t.provides().isEmpty());
        assertEquals(0, t.numStages());

        TeacherOutputs out = t.run(batch(1, 2, 3));
        assertEquals(3, out.boxes().size());
        INDArray b1 = out.boxes().get(0);
        assertArrayEquals(new long[]{50, 4}, b1.shape());
        double[] s1 = out.scores().get(0);
        assertEquals(0.60, s1[0], 1e-12, "highest first");
        assertEquals(0.11, s1[49], 1e-12, "the 50th best");
        for (int i = 1; i < s1.length; i++) assertTrue(s1[i] <= s1[i - 1]);
        // best box of image 1: entry 59, xywh (69, 20, 30, 40) on 200x100, category 3 -> label 0
        assertArrayEquals(new double[]{84 / 200.0, 40 / 100.0, 30 / 200.0, 40 / 100.0}, b1.getRow(0).toDoubleVector(), 1e-12);
        assertEquals(0, out.labels().get(0)[0]);
        assertEquals(1, out.labels().get(0)[1], "entry 58 has category 7 -> label 1");

        INDArray b2 = out.boxes().get(1);
        assertArrayEquals(new double[]{0.9, 0.5, 0.5}, out.scores().get(1), 0);
        assertArrayEquals(new double[]{45 / 50.0, 75 / 80.0, 10 / 50.0, 10 / 80.0}, b2.getRow(0).toDoubleVector(), 1e-12,
                "clipped to [40,50]x[70,80]");
        assertArrayEquals(new double[]{12.5 / 50, 20 / 80.0, 0.5, 0.5}, b2.getRow(1).toDoubleVector(), 1e-12, "ties in input order");
        assertArrayEquals(new int[]{0, 1, 1}, out.labels().get(1));

        assertArrayEquals(new long[]{0, 4}, out.boxes().get(2).shape(), "an image without entries has no boxes");
        assertEquals(0, out.scores().get(2).length);
    }

    @Test
    void anUnknownCategoryIsAnErrorNamingTheFileAndEntry() throws Exception {
        Path file = tmp.resolve("other_labels.json");
        CocoResults.write(file, List.of(new DetectionResult(1, 7, 0, 0, 10, 10, 0.9), new DetectionResult(1, 5, 0, 0, 10, 10, 0.9)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResultsFileTeacher.read(file, CATEGORIES, IMAGES, BoxSelection.defaults()));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("entry [1]")
                && e.getMessage().contains("category_id 5"), e.getMessage());
    }

    @Test
    void aMalformedFileIsAnErrorNamingTheFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("broken.json"), "[{\"image_id\": 1, \"category_id\": 7, \"bbox\": [0, 0, 1, 1]}]");
        IOException e = assertThrows(IOException.class, () -> ResultsFileTeacher.read(file, CATEGORIES, IMAGES, BoxSelection.defaults()));
        assertTrue(e.getMessage().contains("broken.json") && e.getMessage().contains("score"), e.getMessage());
    }

    @Test
    void aBatchImageOfAnotherDatasetIsAnError() throws Exception {
        ResultsFileTeacher t = ResultsFileTeacher.read(results(), CATEGORIES, IMAGES, BoxSelection.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.run(batch(1, 42)));
        assertTrue(e.getMessage().contains("teacher.json") && e.getMessage().contains("42"), e.getMessage());
    }
}
