package org.detrdistill.datasets.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading ground truth and results files, writing results files, and the errors for bad input. */
class CocoReadersTest {
    private static final String GT = """
            {"annotations": [
               {"id": 7, "image_id": 20, "category_id": 3, "bbox": [1, 2, 30, 40], "area": 1000.5, "iscrowd": 0,
                "segmentation": [[1, 2, 3, 4, 5, 6]], "ignore": 1},
               {"id": 8, "image_id": 10, "category_id": 1, "bbox": [0.5, 0.25, 10, 10], "area": 100, "iscrowd": true},
               {"id": 9, "image_id": 10, "category_id": 1, "bbox": [5, 5, 10, 10], "area": 100},
               {"id": 10, "image_id": 99, "category_id": 1, "bbox": [5, 5, 10, 10], "area": 100, "iscrowd": 0},
               {"id": 11, "image_id": 10, "category_id": 42, "bbox": [5, 5, 10, 10], "area": 100, "iscrowd": 0}],
             "info": {"nested": {"deep": [1, 2, {"x": null}]}},
             "images": [{"id": 20, "file_name": "b.jpg"}, {"file_name": "a.jpg", "id": 10}, {"id": 10}],
             "categories": [{"id": 3, "name": "c"}, {"id": 1, "name": "a"}],
             "licenses": []}
            """;

    @Test
    void groundTruthKeepsOnlyWhatEvaluationUsesInAnyFieldOrder() throws IOException {
        CocoGroundTruth gt = CocoGroundTruth.parse(GT, "gt.json");
        assertArrayEquals(new long[] {10, 20}, gt.imageIds()); // sorted, duplicate merged
        assertArrayEquals(new int[] {1, 3}, gt.categoryIds());
        assertEquals(3, gt.annotationCount());
        assertEquals(1, gt.skippedUnknownImage());    // image 99
        assertEquals(1, gt.skippedUnknownCategory()); // category 42
        // kept annotations in file order, with their fields
        assertArrayEquals(new long[] {7, 8, 9}, gt.annId);
        assertArrayEquals(new double[] {1, 2, 30, 40, 0.5, 0.25, 10, 10, 5, 5, 10, 10}, gt.annBox);
        assertArrayEquals(new double[] {1000.5, 100, 100}, gt.annArea);
        assertArrayEquals(new boolean[] {false, true, false}, gt.annCrowd); // iscrowd true, absent = 0
    }

    @Test
    void groundTruthErrorsNameFileEntryFieldAndLocation() {
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoGroundTruth.parse(
                "{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 1}],\n \"annotations\": [\n"
                        + "  {\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1},\n"
                        + "  {\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}]}", "val.json"));
        assertTrue(e.getMessage().startsWith("val.json: annotations[1] (id 2): missing field 'area'"), e.getMessage());
        assertEquals(4, e.line());

        e = assertThrows(CocoFormatException.class, () -> CocoGroundTruth.parse(
                "{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 1}], \"annotations\": ["
                        + "{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1], \"area\": 1}]}", "g.json"));
        assertTrue(e.getMessage().contains("annotations[0]: field 'bbox' must have exactly 4 numbers"), e.getMessage());

        e = assertThrows(CocoFormatException.class, () -> CocoGroundTruth.parse(
                "{\"images\": [{\"id\": \"abc\"}], \"categories\": []}", "g.json"));
        assertTrue(e.getMessage().contains("images[0]: field 'id' must be an integer id, found string \"abc\""), e.getMessage());

        e = assertThrows(CocoFormatException.class, () -> CocoGroundTruth.parse(
                "{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 1}], \"annotations\": ["
                        + "{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1},"
                        + "{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1}]}", "g.json"));
        assertTrue(e.getMessage().contains("annotations[0] and annotations[1] have the same id 5"), e.getMessage());

        e = assertThrows(CocoFormatException.class, () -> CocoGroundTruth.parse("{\"images\": []}", "g.json"));
        assertTrue(e.getMessage().contains("missing the top-level 'categories' array"), e.getMessage());

        e = assertThrows(CocoFormatException.class, () -> CocoGroundTruth.parse("[1, 2]", "g.json"));
        assertTrue(e.getMessage().contains("the top level of a COCO instances file must be an object"), e.getMessage());
    }

    @Test
    void malformedJsonNamesTheFileAndLocation(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("broken_gt.json");
        Files.writeString(f, "{\"images\": [{\"id\": 1}],\n  \"categories\": [{\"id\": 1,, }]}");
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoGroundTruth.read(f));
        assertTrue(e.getMessage().startsWith("broken_gt.json: malformed JSON"), e.getMessage());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("(line 2, column"), e.getMessage());

        Path r = dir.resolve("truncated_dt.json");
        Files.writeString(r, "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 0.5},\n {\"image_id\": 1");
        CocoGroundTruth gt = CocoGroundTruth.builder("gt").addImage(1).addCategory(1).build();
        e = assertThrows(CocoFormatException.class, () -> CocoDetections.read(r, gt));
        assertTrue(e.getMessage().startsWith("truncated_dt.json: malformed JSON"), e.getMessage());
        assertTrue(e.line() >= 2, e.getMessage());
    }

    @Test
    void resultsOnUnknownImagesFailAndUnknownCategoriesAreCountedAndSkipped(@TempDir Path dir) throws IOException {
        CocoGroundTruth gt = CocoGroundTruth.parse(GT, "gt.json");
        Path ok = dir.resolve("dt.json");
        Files.writeString(ok, "[{\"image_id\": 10, \"category_id\": 1, \"bbox\": [0, 0, 5, 5], \"score\": 0.9, \"id\": 77},"
                + "{\"image_id\": 20, \"category_id\": 5, \"bbox\": [0, 0, 5, 5], \"score\": 0.8},"
                + "{\"score\": 0.7, \"bbox\": [1, 1, 5, 5], \"category_id\": 3.0, \"image_id\": 20}]");
        CocoDetections dt = CocoDetections.read(ok, gt);
        assertEquals(2, dt.size());
        assertEquals(1, dt.skippedUnknownCategory());
        assertEquals("dt.json", dt.source());

        Path bad = dir.resolve("bad_dt.json");
        Files.writeString(bad, "[{\"image_id\": 10, \"category_id\": 1, \"bbox\": [0, 0, 5, 5], \"score\": 0.9},\n"
                + " {\"image_id\": 11, \"category_id\": 1, \"bbox\": [0, 0, 5, 5], \"score\": 0.9}]");
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoDetections.read(bad, gt));
        assertTrue(e.getMessage().startsWith("bad_dt.json: results entry [1]: image_id 11 is not an image of the "
                + "ground truth gt.json"), e.getMessage());
        assertEquals(2, e.line());

        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
                () -> CocoDetections.of(List.of(new DetectionResult(12, 1, 0, 0, 1, 1, .5)), gt));
        assertTrue(iae.getMessage().contains("detections[0]: image_id 12"), iae.getMessage());
    }

    @Test
    void resultsEntriesAreChecked() {
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoResults.parse(
                "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 5, 5]}]", "r.json"));
        assertTrue(e.getMessage().contains("results entry [0]: missing field 'score'"), e.getMessage());
        e = assertThrows(CocoFormatException.class, () -> CocoResults.parse(
                "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 5, 5], \"score\": \"high\"}]", "r.json"));
        assertTrue(e.getMessage().contains("[0]: field 'score' must be a number, found string \"high\""), e.getMessage());
        e = assertThrows(CocoFormatException.class, () -> CocoResults.parse(
                "[{\"image_id\": 1.5, \"category_id\": 1, \"bbox\": [0, 0, 5, 5], \"score\": 1}]", "r.json"));
        assertTrue(e.getMessage().contains("[0]: field 'image_id' must be an integer id, found number 1.5"), e.getMessage());
        e = assertThrows(CocoFormatException.class, () -> CocoResults.parse("{\"annotations\": []}", "r.json"));
        assertTrue(e.getMessage().contains("the top level of a COCO results file must be an array"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DetectionResult(1, 1, 0, 0, 1, 1, Double.NaN));
    }

    @Test
    void writtenResultsReadBackExactly(@TempDir Path dir) throws IOException {
        List<DetectionResult> rs = List.of(
                new DetectionResult(1, 3, 0.1 + 0.2, 1e-300, 12345.678901234567, 7, 0.30000000000000004),
                new DetectionResult(9_000_000_000L, 90, -0.0, 5, 1, 2, 1));
        Path f = dir.resolve("sub/results.json");
        CocoResults.write(f, rs);
        assertEquals(rs, CocoResults.read(f));
        // replacing an existing file: the new content, and no temporary file left behind
        CocoResults.write(f, rs.subList(0, 1));
        assertEquals(rs.subList(0, 1), CocoResults.read(f));
        try (var files = Files.list(f.getParent())) {
            assertEquals(List.of(f), files.toList());
        }
        assertEquals(List.of(), CocoResults.parse("[]", "empty.json"));
    }
}
