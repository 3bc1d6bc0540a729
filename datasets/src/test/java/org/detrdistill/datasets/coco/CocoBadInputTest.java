package org.detrdistill.datasets.coco;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input the reader documents: errors name the file, the entry and the position; skipped entries are
 * counted in the report (or become errors in strict mode).
 */
class CocoBadInputTest {

    private static CocoFormatException fails(String resource) {
        Path file = TestFiles.coco(resource);
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoInstancesReader.read(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e;
    }

    @Test
    void malformedJsonNamesFileLineColumnAndEntry() {
        CocoFormatException e = fails("malformed.json");
        assertEquals(8, e.line());
        assertEquals(29, e.column());
        assertEquals("annotations[1] (id 2)", e.entry());
        assertTrue(e.getMessage().contains("malformed.json:8:29: annotations[1] (id 2): malformed JSON"), e.getMessage());
    }

    @Test
    void truncatedJsonIsAnError() {
        CocoFormatException e = fails("truncated.json");
        assertTrue(e.getMessage().contains("malformed JSON") && e.line() >= 7, e.getMessage());
    }

    @Test
    void missingRequiredFieldNamesTheEntry() {
        CocoFormatException e = fails("missing_bbox.json");
        assertEquals("annotations[1] (id 2)", e.entry());
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("required field 'bbox' is missing"), e.getMessage());
    }

    @Test
    void bboxWithoutFourNumbersIsAnError() {
        CocoFormatException e = fails("short_bbox.json");
        assertEquals("annotations[0] (id 41)", e.entry());
        assertTrue(e.getMessage().contains("must have 4 numbers [x,y,w,h], found 3"), e.getMessage());
    }

    @Test
    void mistypedFieldIsAnError() {
        CocoFormatException e = fails("wrong_type.json");
        assertEquals("images[0] (id 1)", e.entry());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("field 'width' must be an integer, found VALUE_STRING wide"), e.getMessage());
    }

    @Test
    void duplicateImageIdIsAnError() {
        CocoFormatException e = fails("duplicate_image.json");
        assertEquals("images[2] (id 1, three.png)", e.entry());
        assertTrue(e.getMessage().contains("duplicate image id, also used by images[0]"), e.getMessage());
    }

    @Test
    void fileWithoutCategoriesIsNotAnInstancesFile() {
        CocoFormatException e = fails("not_instances.json");
        assertTrue(e.getMessage().contains("missing top-level 'categories'"), e.getMessage());
    }

    @Test
    void absentFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> CocoInstancesReader.read(Path.of("/nonexistent/instances.json")));
    }

    @Test
    void badAnnotationsAreCountedAndSkippedWithExamples() throws IOException {
        CocoDataset ds = CocoInstancesReader.read(TestFiles.coco("bad_entries.json"));
        LoadReport r = ds.report();
        assertEquals(1, r.count(LoadIssue.UNKNOWN_IMAGE_ID));
        assertEquals(1, r.count(LoadIssue.UNKNOWN_CATEGORY_ID));
        assertEquals(2, r.count(LoadIssue.NON_POSITIVE_SIZE), "zero width and negative height");
        assertEquals(1, r.count(LoadIssue.OUTSIDE_IMAGE));
        assertEquals(1, r.count(LoadIssue.CLIPPED_TO_IMAGE));
        assertEquals(8, r.annotationsRead());
        assertEquals(3, r.annotationsKept());
        assertEquals(List.of("annotations[1] (id 2): image_id 77 is not in images"),
                r.examples().get(LoadIssue.UNKNOWN_IMAGE_ID));
        assertEquals(List.of("annotations[2] (id 3): category_id 6 is not in categories"),
                r.examples().get(LoadIssue.UNKNOWN_CATEGORY_ID));
        assertTrue(r.examples().get(LoadIssue.OUTSIDE_IMAGE).get(0).startsWith("annotations[5] (id 6)"));

        assertArrayEquals(new long[]{1}, ds.annotations(0).ids());
        assertArrayEquals(new long[]{7, 8}, ds.annotations(1).ids());
        assertArrayEquals(new float[]{0, 70, 15, 10, 1, 2, 3, 4}, ds.annotations(1).boxesXywh(), 0f);
    }

    @Test
    void strictModeTurnsTheFirstSkipIntoAnError() {
        Path file = TestFiles.coco("bad_entries.json");
        CocoFormatException e = assertThrows(CocoFormatException.class,
                () -> CocoInstancesReader.read(file, CocoReadOptions.builder().strict(true).build()));
        assertEquals("annotations[1] (id 2)", e.entry());
        assertEquals(9, e.line());
        assertTrue(e.getMessage().contains("image_id 77 is not in images (strict mode)"), e.getMessage());
    }

    @Test
    void missingImageFilesAreSkippedWithTheirAnnotations(@TempDir Path root) throws IOException {
        Files.write(root.resolve("a.png"), new byte[]{1});
        Files.write(root.resolve("b.png"), new byte[]{1});
        CocoDataset ds = CocoInstancesReader.read(TestFiles.coco("valid_small.json"),
                CocoReadOptions.builder().imageRoot(root).build());
        assertEquals(2, ds.size());
        assertEquals(root, ds.imageRoot().orElseThrow());
        LoadReport r = ds.report();
        assertEquals(2, r.count(LoadIssue.MISSING_IMAGE_FILE));
        assertTrue(r.examples().get(LoadIssue.MISSING_IMAGE_FILE).get(0).startsWith("images[2] (id 30, c.png)"));
        assertEquals(4, r.annotationsKept(), "annotation 104 belonged to the missing d.png");

        CocoFormatException strict = assertThrows(CocoFormatException.class, () -> CocoInstancesReader.read(
                TestFiles.coco("valid_small.json"), CocoReadOptions.builder().imageRoot(root).strict(true).build()));
        assertEquals("images[2] (id 30, c.png)", strict.entry());
    }

    @Test
    void anImageRootWithoutAnyImageIsAnError(@TempDir Path root) {
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoInstancesReader.read(
                TestFiles.coco("valid_small.json"), CocoReadOptions.builder().imageRoot(root).build()));
        assertTrue(e.getMessage().contains("none of the 4 image files exists under the image root " + root), e.getMessage());
    }
}
