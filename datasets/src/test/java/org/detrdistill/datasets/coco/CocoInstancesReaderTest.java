package org.detrdistill.datasets.coco;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading valid files: fields, category mapping, crowd handling, the empty-image option, streaming at scale. */
class CocoInstancesReaderTest {

    @Test
    void readsImagesCategoriesAndAnnotationsOfAValidFile() throws IOException {
        CocoDataset ds = CocoInstancesReader.read(TestFiles.coco("valid_small.json"));
        assertEquals(4, ds.size());
        assertEquals(new CocoImageInfo(10, "a.png", 64, 48), ds.image(0));
        assertEquals(new CocoImageInfo(40, "d.png", 50, 50), ds.image(3), "integral float width is accepted");

        CategoryMap cats = ds.categories();
        assertEquals(3, cats.size());
        assertEquals("person", cats.nameOf(0));
        assertEquals(3, cats.categoryIdOf(1));
        assertEquals(7, cats.categoryIdOf(2));

        ImageAnnotations a = ds.annotations(0);
        assertArrayEquals(new long[]{100, 102, 103}, a.ids(), "file order within the image");
        assertArrayEquals(new int[]{0, 1, 2}, a.labels());
        assertArrayEquals(new boolean[]{false, false, true}, a.crowd());
        assertArrayEquals(new float[]{4, 6, 20, 10, 50, 40, 14, 8, 0, 0, 64, 48}, a.boxesXywh(), 0f,
                "annotation 102 is clipped to the 64x48 image");
        assertArrayEquals(new float[]{150.5f, 14 * 8, 3072}, a.areas(), 0f, "missing area = w*h of the clipped box");

        ImageAnnotations b = ds.annotations(1);
        assertArrayEquals(new float[]{0.5f, 1.5f, 30f, 40f}, b.boxesXywh(), 0f);
        assertArrayEquals(new int[]{2}, b.labels());
        assertEquals(0, ds.annotations(2).size());
        assertEquals(ds.size(), ds.annotations().imageCount());
        assertEquals(5, ds.annotations().size());

        assertEquals(1, ds.indexOf(20).getAsInt());
        assertTrue(ds.indexOf(21).isEmpty());
        assertFalse(ds.imageRoot().isPresent());
    }

    @Test
    void crowdAnnotationsAreKeptButAreNotTrainingTargets() throws IOException {
        CocoDataset ds = CocoInstancesReader.read(TestFiles.coco("valid_small.json"));
        ImageAnnotations a = ds.annotations(0);
        assertEquals(2, a.nonCrowdCount());
        assertArrayEquals(new int[]{0, 1}, a.nonCrowdLabels());
        assertArrayEquals(new float[]{4, 6, 24, 16, 50, 40, 64, 48}, a.nonCrowdBoxesXyxy(), 0f);
        ImageAnnotations d = ds.annotations(3);
        assertEquals(1, d.size());
        assertEquals(0, d.nonCrowdLabels().length);
        assertEquals(2, ds.report().crowdAnnotations());
    }

    @Test
    void reportCountsWhatWasReadKeptAndClipped() throws IOException {
        LoadReport r = CocoInstancesReader.read(TestFiles.coco("valid_small.json")).report();
        assertEquals(4, r.imagesRead());
        assertEquals(4, r.imagesKept());
        assertEquals(5, r.annotationsRead());
        assertEquals(5, r.annotationsKept());
        assertEquals(1, r.count(LoadIssue.CLIPPED_TO_IMAGE));
        assertTrue(r.examples().get(LoadIssue.CLIPPED_TO_IMAGE).get(0).startsWith("annotations[2] (id 102)"));
        assertFalse(r.clean());
        assertTrue(r.summary().contains("CLIPPED_TO_IMAGE x1"), r.summary());
    }

    @Test
    void imagesWithoutUsableAnnotationsCanBeSkipped() throws IOException {
        CocoDataset ds = CocoInstancesReader.read(TestFiles.coco("valid_small.json"),
                CocoReadOptions.builder().keepImagesWithoutAnnotations(false).build());
        assertEquals(2, ds.size(), "image 30 has no annotation, image 40 only a crowd one");
        assertEquals(10, ds.image(0).id());
        assertEquals(20, ds.image(1).id());
        assertTrue(ds.indexOf(30).isEmpty());
        assertTrue(ds.indexOf(40).isEmpty());
        LoadReport r = ds.report();
        assertEquals(2, r.count(LoadIssue.NO_ANNOTATIONS));
        assertEquals(4, r.annotationsKept(), "the crowd annotation of the skipped image goes with it");
        assertEquals(1, r.crowdAnnotations());
        assertEquals(4, ds.annotations().size());
    }

    @Test
    void streamsALargeFileWithSegmentationsAndUnknownFields(@TempDir Path dir) throws IOException {
        int images = 3000, perImage = 7, polygonPoints = 40;
        Path file = dir.resolve("large.json");
        Random rnd = new Random(3);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("{\"info\":{\"nested\":{\"deep\":[1,[2,[3]]]}},\"annotations\":[");
            int id = 0;
            for (int i = 0; i < images; i++) {
                for (int k = 0; k < perImage; k++) {
                    w.write(id == 0 ? "" : ",");
                    w.write("{\"segmentation\":[[");
                    for (int p = 0; p < polygonPoints; p++) {
                        w.write((p == 0 ? "" : ",") + (rnd.nextInt(20000) / 100.0));
                    }
                    w.write("]],\"area\":" + (k + 1) + ",\"iscrowd\":0,\"image_id\":" + (1000 + i) + ",\"bbox\":[" + k
                            + "," + k + ",10.25,20.5],\"category_id\":" + (1 + 2 * (k % 3)) + ",\"id\":" + (id++) + "}");
                }
            }
            w.write("],\"images\":[");
            for (int i = 0; i < images; i++) {
                w.write((i == 0 ? "" : ",") + "{\"file_name\":\"" + i + ".jpg\",\"id\":" + (1000 + i)
                        + ",\"height\":100,\"width\":120,\"coco_url\":\"http://x\"}");
            }
            w.write("],\"categories\":[{\"id\":1,\"name\":\"a\"},{\"id\":3,\"name\":\"b\"},{\"id\":5,\"name\":\"c\"}]}");
        }
        CocoDataset ds = CocoInstancesReader.read(file);
        assertEquals(images, ds.size());
        assertEquals(images * perImage, ds.annotations().size());
        assertTrue(ds.report().clean(), ds.report().summary());
        ImageAnnotations last = ds.annotations(images - 1);
        assertEquals(perImage, last.size());
        assertEquals((long) images * perImage - 1, last.ids()[perImage - 1]);
        assertArrayEquals(new int[]{0, 1, 2, 0, 1, 2, 0}, last.labels());
        assertArrayEquals(new float[]{6, 6, 10.25f, 20.5f}, java.util.Arrays.copyOfRange(last.boxesXywh(), 24, 28), 0f);
        assertEquals(7f, last.areas()[6], 0f);
    }
}
