package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint files: full round trip, atomic replacement, validation naming file/entry/field, fit to the graph. */
class CheckpointTest {
    private static final DetectorConfig CONFIG = DetectorConfig.builder(Variant.DEFORMABLE_DETR).numClasses(5).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A graph trained for 3 steps, with a constant, and its checkpoint. */
    private static Checkpoint trained(SameDiff sd, long seed) {
        sd.constant("backbone.0.body.conv1.weight", Nd4j.rand(DataType.FLOAT, 3, 3, 3, 4));
        GradientStep step = new GradientStep(new AdamW(AdamWConfig.detr(), ParamGroups.builder().freezeKeywords("frozen.").build()),
                LrSchedule.constant(1e-2), GradientClipper.off());
        INDArray[] data = TinyMlp.dataset(8, DataType.FLOAT);
        for (int k = 0; k < 3; k++) step.run(sd, Map.of("x", data[0], "y", data[1]), TinyMlp.OUTPUTS, k);
        return Checkpoint.capture(sd, CONFIG, step.optimizer(), new TrainingState(2, 3, 0.25, 1), new SplitMix64(seed));
    }

    @Test
    void roundTripKeepsEverything(@TempDir Path dir) throws Exception {
        Checkpoint c = trained(TinyMlp.build(DataType.FLOAT, 1, 0, 8), 5);
        Path f = dir.resolve("c.zip");
        CheckpointFile.write(c, f);
        Checkpoint r = CheckpointFile.read(f);
        assertEquals(CONFIG, r.config());
        assertEquals(c.training(), r.training());
        assertEquals(c.rng(), r.rng());
        assertEquals(c.optimizerConfig(), r.optimizerConfig());
        assertEquals(c.parameters().keySet(), r.parameters().keySet());
        assertEquals(c.parameters(), r.parameters());
        assertEquals(c.constants(), r.constants());
        assertTrue(r.constants().containsKey("backbone.0.body.conv1.weight"));
        assertEquals(c.optimizer().keySet(), r.optimizer().keySet());
        assertFalse(r.optimizer().containsKey("frozen.scale"));
        for (String k : c.optimizer().keySet()) {
            assertEquals(c.optimizer().get(k).expAvg(), r.optimizer().get(k).expAvg());
            assertEquals(c.optimizer().get(k).expAvgSq(), r.optimizer().get(k).expAvgSq());
            assertEquals(3, r.optimizer().get(k).step());
        }
        // no temporary files left
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
        // initial state: no best metric (null in JSON)
        Checkpoint fresh = new Checkpoint(CONFIG, c.parameters(), Map.of(), Map.of(), AdamWConfig.detr(), TrainingState.initial(), c.rng());
        CheckpointFile.write(fresh, f);
        assertFalse(CheckpointFile.read(f).training().hasBest());
    }

    @Test
    void failedWritesLeaveThePreviousCheckpointUntouched(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint good = trained(TinyMlp.build(DataType.FLOAT, 1, 0, 8), 5);
        store.saveLast(good, true);
        byte[] last = Files.readAllBytes(store.path("last")), best = Files.readAllBytes(store.path("best"));

        Map<String, INDArray> nan = new LinkedHashMap<>(good.parameters());
        nan.put("layer2.bias", Nd4j.createFromArray(1f, Float.NaN));
        Checkpoint bad = new Checkpoint(CONFIG, nan, Map.of(), Map.of(), AdamWConfig.detr(), good.training(), good.rng());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.saveLast(bad, true));
        assertTrue(e.getMessage().contains("'layer2.bias'") && e.getMessage().contains("NaN"), e.getMessage());

        // fails half-way through the zip (BOOL arrays have no .npy encoding here): the temporary file is removed
        Map<String, INDArray> unwritable = new LinkedHashMap<>(good.parameters());
        unwritable.put("zz.mask", Nd4j.create(DataType.BOOL, 3));
        Checkpoint broken = new Checkpoint(CONFIG, unwritable, Map.of(), Map.of(), AdamWConfig.detr(), good.training(), good.rng());
        assertThrows(IllegalArgumentException.class, () -> store.saveLast(broken, true));

        assertArrayEquals(last, Files.readAllBytes(store.path("last")));
        assertArrayEquals(best, Files.readAllBytes(store.path("best")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "only last.zip and best.zip");
        }
    }

    @Test
    void bestIsACopyOfLastOnlyWhenAsked(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint first = trained(TinyMlp.build(DataType.FLOAT, 1, 0, 8), 5);
        store.saveLast(first, true);
        Checkpoint second = trained(TinyMlp.build(DataType.FLOAT, 2, 0, 8), 6);
        store.saveLast(second, false);
        assertEquals(second.parameters(), store.load("last").parameters());
        assertEquals(first.parameters(), store.load("best").parameters());
        assertTrue(store.loadIfPresent("epoch_3").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> store.path("../x"));
        // a leftover temporary file from a crash is removed when the store is opened again
        Path stale = dir.resolve(".last.zip" + CheckpointFile.TEMP_MARK + "dead");
        Files.write(stale, new byte[] {1, 2, 3});
        new CheckpointStore(dir);
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(store.path("last")));
    }

    @Test
    void corruptOrInvalidFilesAreRejectedByName(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.zip");
        CheckpointFile.write(trained(TinyMlp.build(DataType.FLOAT, 1, 0, 8), 5), good);

        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(dir.resolve("none.zip")));
        assertTrue(e.getMessage().contains("none.zip") && e.getMessage().contains("no such file"), e.getMessage());

        byte[] all = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.zip");
        Files.write(truncated, Arrays.copyOf(all, all.length / 2));
        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(truncated));
        assertTrue(e.getMessage().contains("truncated.zip") && e.getMessage().contains("not a readable zip"), e.getMessage());

        Path flipped = rewrite(good, dir.resolve("flipped.zip"), (name, b) -> {
            if (name.equals("params/00002.npy")) b[b.length - 1] ^= 1;
            return b;
        });
        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(flipped));
        assertEquals("params/00002.npy", e.entry());
        assertTrue(e.field().endsWith(".crc32") && e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertThrows(CheckpointException.class, () -> CheckpointFile.verify(flipped));
        assertTrue(Files.exists(flipped), "reading never deletes a corrupt checkpoint");

        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(editManifest(good, dir.resolve("m1.zip"),
                m -> ((ObjectNode) m.get("training")).remove("step"))));
        assertEquals("training.step", e.field());
        assertTrue(e.getMessage().contains("manifest.json") && e.getMessage().contains("missing"), e.getMessage());

        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(editManifest(good, dir.resolve("m2.zip"),
                m -> ((ObjectNode) m).put("version", 9))));
        assertEquals("version", e.field());

        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(editManifest(good, dir.resolve("m3.zip"),
                m -> ((ObjectNode) m.get("tensors").get(1)).putArray("shape").add(99))));
        assertEquals("tensors[1].shape", e.field());

        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(editManifest(good, dir.resolve("m4.zip"),
                m -> ((ObjectNode) m.get("optimizer").get("steps")).put("layer1.weight", 0))));
        assertEquals("optimizer.steps.layer1.weight", e.field());

        Path badConfig = rewrite(good, dir.resolve("config.zip"), (name, b) -> name.equals("config.json")
                ? new String(b, StandardCharsets.UTF_8).replace("\"numClasses\" : 5", "\"numClasses\" : 0").getBytes(StandardCharsets.UTF_8) : b);
        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(badConfig));
        assertEquals("config.json", e.entry());
        assertTrue(e.getMessage().contains("numClasses"), e.getMessage());

        Path extra = rewrite(good, dir.resolve("extra.zip"), (name, b) -> b);
        appendEntry(extra, "params/99999.npy");
        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(extra));
        assertTrue(e.getMessage().contains("not listed in the manifest"), e.getMessage());

        String[] dropped = new String[1];
        Path missing = rewrite(good, dir.resolve("missing.zip"), (name, b) -> {
            if (dropped[0] != null || !name.endsWith(".v.npy")) return b;
            dropped[0] = name;
            return null;
        });
        e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(missing));
        assertEquals(dropped[0], e.entry());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void restoreChecksTheGraphBeforeChangingAnything() {
        Checkpoint c = trained(TinyMlp.build(DataType.FLOAT, 1, 0, 8), 5);
        SameDiff other = TinyMlp.build(DataType.FLOAT, 2, 0, 8);
        other.var("extra.weight", Nd4j.ones(DataType.FLOAT, 2));
        other.constant("backbone.0.body.conv1.weight", Nd4j.rand(DataType.FLOAT, 3, 3, 3, 5));
        INDArray before = other.getArrForVarName("layer1.weight").dup();
        AdamW adamw = new AdamW(AdamWConfig.detr(), ParamGroups.builder().freezeKeywords("frozen.", "layer2.").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.restore(other, adamw));
        String msg = e.getMessage();
        assertTrue(msg.contains("[extra.weight]"), msg);
        assertTrue(msg.contains("constant 'backbone.0.body.conv1.weight'") && msg.contains("[3, 3, 3, 4]"), msg);
        assertTrue(msg.contains("'layer2.bias', which is frozen"), msg);
        assertEquals(before, other.getArrForVarName("layer1.weight"));
        assertEquals(0, adamw.size());
    }

    /** Copies a zip, transforming each entry's bytes (null = drop the entry). */
    private static Path rewrite(Path from, Path to, BiFunction<String, byte[], byte[]> f) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile()); OutputStream os = Files.newOutputStream(to); ZipOutputStream out = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> en = in.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                byte[] b;
                try (InputStream is = in.getInputStream(e)) {
                    b = f.apply(e.getName(), is.readAllBytes());
                }
                if (b == null) continue;
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(b);
                out.closeEntry();
            }
        }
        return to;
    }

    private static Path editManifest(Path from, Path to, java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> edit) throws IOException {
        return rewrite(from, to, (name, b) -> {
            if (!name.equals("manifest.json")) return b;
            try {
                var m = JSON.readTree(b);
                edit.accept(m);
                return JSON.writeValueAsBytes(m);
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    private static void appendEntry(Path zip, String name) throws IOException {
        Path tmp = zip.resolveSibling("tmp-" + zip.getFileName());
        rewrite(zip, tmp, (n, b) -> b);
        try (ZipFile in = new ZipFile(tmp.toFile()); OutputStream os = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> en = in.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(name));
            out.write(1);
            out.closeEntry();
        }
    }
}
