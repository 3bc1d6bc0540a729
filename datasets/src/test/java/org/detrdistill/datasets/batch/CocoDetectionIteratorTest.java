package org.detrdistill.datasets.batch;

import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.image.DetrTransforms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Order, reproducibility across worker counts and epochs, drop-last, and error reporting of the iterator. */
class CocoDetectionIteratorTest {
    @TempDir
    static Path root;
    static CocoDataset dataset;

    @BeforeAll
    static void writeDataset() throws IOException {
        dataset = SmallDataset.load();
        SmallDataset.writeImages(dataset, root);
    }

    private static CocoDetectionIterator iterator(LoaderConfig config) {
        return CocoDetectionIterator.builder(dataset).imageRoot(root).config(config)
                .transform(DetrTransforms.train(24, 40)).build();
    }

    private static List<DetectionBatch> epoch(CocoDetectionIterator it) {
        List<DetectionBatch> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    private static void assertSameBatches(List<DetectionBatch> a, List<DetectionBatch> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).images(), b.get(i).images(), "images of batch " + i);
            assertEquals(a.get(i).mask(), b.get(i).mask(), "mask of batch " + i);
            for (int k = 0; k < a.get(i).size(); k++) {
                ImageTarget ta = a.get(i).targets().get(k), tb = b.get(i).targets().get(k);
                assertEquals(ta.imageId(), tb.imageId());
                assertArrayEquals(ta.labels(), tb.labels());
                assertEquals(ta.boxes(), tb.boxes());
                assertEquals(ta.height(), tb.height());
            }
        }
    }

    @Test
    void batchesAreIdenticalForAnyNumberOfWorkers() {
        LoaderConfig base = LoaderConfig.builder().batchSize(3).seed(7).build();
        List<List<DetectionBatch>> runs = new ArrayList<>();
        for (int workers : new int[]{0, 1, 3}) {
            try (CocoDetectionIterator it = iterator(base.toBuilder().workers(workers).prefetchBatches(2).build())) {
                runs.add(epoch(it));
            }
        }
        assertEquals(3, runs.get(0).size(), "7 images in batches of 3");
        assertEquals(1, runs.get(0).get(2).size());
        assertSameBatches(runs.get(0), runs.get(1));
        assertSameBatches(runs.get(0), runs.get(2));
    }

    @Test
    void eachEpochIsReproducibleAndEpochsDiffer() {
        LoaderConfig cfg = LoaderConfig.builder().batchSize(2).seed(3).workers(2).build();
        try (CocoDetectionIterator a = iterator(cfg); CocoDetectionIterator b = iterator(cfg)) {
            int[] order0 = a.epochOrder();
            int[] sorted = order0.clone();
            Arrays.sort(sorted);
            assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6}, sorted, "a permutation of all images");
            List<DetectionBatch> e0 = epoch(a);
            assertThrows(NoSuchElementException.class, a::next);
            a.reset();
            assertEquals(1, a.epoch());
            assertFalse(Arrays.equals(order0, a.epochOrder()), "epoch 1 is shuffled differently");
            epoch(a);
            a.reset(0);
            assertArrayEquals(order0, a.epochOrder());
            assertSameBatches(e0, epoch(a));
            assertSameBatches(e0, epoch(b));
            List<Long> ids = new ArrayList<>();
            e0.forEach(batch -> batch.targets().forEach(t -> ids.add(t.imageId())));
            assertEquals(Arrays.stream(order0).mapToObj(i -> dataset.image(i).id()).toList(), ids);
        }
        try (CocoDetectionIterator c = iterator(cfg.toBuilder().seed(4).build()); CocoDetectionIterator d = iterator(cfg)) {
            assertNotEquals(Arrays.toString(d.epochOrder()), Arrays.toString(c.epochOrder()), "another seed, another order");
        }
    }

    @Test
    void partiallyConsumedEpochCanBeReset() {
        try (CocoDetectionIterator it = iterator(LoaderConfig.builder().batchSize(1).workers(2).prefetchBatches(4).build())) {
            it.next();
            it.reset();
            assertEquals(7, epoch(it).size());
        }
    }

    @Test
    void dropLastAndShuffleOff() {
        LoaderConfig cfg = LoaderConfig.builder().batchSize(3).shuffle(false).dropLast(true).workers(1).build();
        try (CocoDetectionIterator it = CocoDetectionIterator.builder(dataset).imageRoot(root).config(cfg).build()) {
            assertEquals(2, it.batchesPerEpoch());
            List<DetectionBatch> batches = epoch(it);
            assertEquals(2, batches.size());
            assertEquals(List.of(1L, 2L, 3L), batches.get(0).targets().stream().map(ImageTarget::imageId).toList());
            ImageTarget t3 = batches.get(0).targets().get(2);
            assertArrayEquals(new int[]{1}, t3.labels(), "crowd annotation 32 is not a target");
            assertArrayEquals(new float[]{0.5f, 0.5f, 0.5f, 0.5f}, t3.boxes().getRow(0).toFloatVector(), 1e-6f);
            assertArrayEquals(new long[]{3, 3, 36, 40}, batches.get(0).images().shape(), "no transform: original sizes");
            it.reset();
            assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6}, it.epochOrder());
        }
    }

    @Test
    void corruptImageFailsNamingImageAndFileAndIteratorContinues(@TempDir Path dir) throws IOException {
        SmallDataset.writeImages(dataset, dir);
        Files.write(dir.resolve("i2.png"), "garbage".getBytes());
        LoaderConfig cfg = LoaderConfig.builder().batchSize(2).shuffle(false).workers(2).build();
        try (CocoDetectionIterator it = CocoDetectionIterator.builder(dataset).imageRoot(dir).config(cfg).build()) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, it::next);
            assertTrue(e.getMessage().startsWith("image id 2 (images index 1): " + dir.resolve("i2.png")
                    + ": not a decodable image"), e.getMessage());
            assertEquals(List.of(3L, 4L), it.next().targets().stream().map(ImageTarget::imageId).toList());
        }
    }

    @Test
    void missingImageAndWrongSizeFailNamingTheFile(@TempDir Path dir) throws IOException {
        SmallDataset.writeImages(dataset, dir);
        Files.delete(dir.resolve("i1.png"));
        org.detrdistill.datasets.testutil.TestImages.write(dir.resolve("i3.png"), 10, 10, (x, y) -> 0);
        LoaderConfig cfg = LoaderConfig.builder().batchSize(1).shuffle(false).workers(0).build();
        try (CocoDetectionIterator it = CocoDetectionIterator.builder(dataset).imageRoot(dir).config(cfg).build()) {
            UncheckedIOException missing = assertThrows(UncheckedIOException.class, it::next);
            assertTrue(missing.getMessage().contains(dir.resolve("i1.png") + ": image file not found"), missing.getMessage());
            it.next();
            UncheckedIOException size = assertThrows(UncheckedIOException.class, it::next);
            assertTrue(size.getMessage().contains("i3.png: decoded size 10x10 differs from the width x height 32x32"),
                    size.getMessage());
        }
    }

    @Test
    void closedIteratorRefusesUseAndRootIsRequired() {
        CocoDetectionIterator it = iterator(LoaderConfig.defaults());
        it.close();
        it.close();
        assertThrows(IllegalStateException.class, it::hasNext);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CocoDetectionIterator.builder(dataset).build());
        assertTrue(e.getMessage().contains("no image directory"), e.getMessage());
    }
}
