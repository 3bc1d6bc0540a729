package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.detrdistill.core.checkpoint.Npy;
import org.detrdistill.core.model.DetectorConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One checkpoint as one zip file (entries stored uncompressed), written atomically:
 * <pre>
 * manifest.json            format, version, training state, random state, optimizer config and steps, and one record
 *                          per array: entry, role, name, dtype, shape, crc32
 * config.json              {@link DetectorConfig#toJson()}
 * params/NNNNN.npy         parameters            (names in the manifest: graph names need not be valid file names)
 * constants/NNNNN.npy      floating-point constants
 * optimizer/NNNNN.m.npy    AdamW exp_avg of parameter NNNNN
 * optimizer/NNNNN.v.npy    AdamW exp_avg_sq
 * </pre>
 * {@link #write} refuses non-finite parameters or optimizer state, writes a temporary file in the target's folder,
 * syncs it, re-reads and checks it ({@link CheckpointReader}), and only then renames it over the target (atomic on
 * POSIX file systems). A failure at any point deletes the temporary file and leaves the previous target untouched.
 */
public final class CheckpointFile {
    /** The {@code format} value of every manifest. */
    public static final String FORMAT = "detr-distill-checkpoint";
    /** The manifest version this class writes and reads. */
    public static final int VERSION = 1;
    /** Names of the fixed entries. */
    public static final String MANIFEST = "manifest.json", CONFIG = "config.json";
    /** Marker in temporary file names; a {@link CheckpointStore} removes leftovers carrying it. */
    static final String TEMP_MARK = ".tmp-";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CheckpointFile() {}

    /**
     * Writes {@code checkpoint} to {@code target} atomically (see the class comment).
     *
     * @throws IllegalArgumentException if a parameter or optimizer state is NaN/Inf (named); nothing is written
     * @throws IOException              on I/O failure; {@code target} is unchanged
     */
    public static void write(Checkpoint checkpoint, Path target) throws IOException {
        requireFinite(checkpoint);
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + TEMP_MARK + UUID.randomUUID());
        try {
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(fos, 1 << 20))) {
                writeEntries(checkpoint, zip);
                zip.finish();
                zip.flush();
                fos.getFD().sync();
            }
            CheckpointReader.read(tmp, false);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Reads and fully validates a checkpoint. @throws CheckpointException naming file, entry and field */
    public static Checkpoint read(Path file) { return CheckpointReader.read(file, true); }

    /** Validates a checkpoint (manifest, config, every checksum and array header) without decoding the arrays. */
    public static void verify(Path file) { CheckpointReader.read(file, false); }

    /**
     * Copies a checkpoint file atomically (temporary copy, sync, verify, rename), e.g. {@code last} to {@code best}.
     *
     * @throws IOException on I/O failure; {@code target} is unchanged
     */
    public static void copy(Path source, Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + TEMP_MARK + UUID.randomUUID());
        try {
            Files.copy(source, tmp);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            verify(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void writeEntries(Checkpoint c, ZipOutputStream zip) throws IOException {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("version", VERSION);
        manifest.put("created", java.time.Instant.now().toString());
        ObjectNode training = manifest.putObject("training");
        TrainingState t = c.training();
        training.put("epoch", t.epoch());
        training.put("step", t.step());
        if (t.hasBest()) training.put("bestMetric", t.bestMetric()); else training.putNull("bestMetric");
        training.put("bestEpoch", t.bestEpoch());
        ObjectNode rng = manifest.putObject("rng");
        rng.put("javaSeed", c.rng().javaSeed());
        rng.put("javaGamma", c.rng().javaGamma());
        rng.put("nd4jRootState", c.rng().nd4jRootState());
        rng.put("nd4jNodeState", c.rng().nd4jNodeState());
        ObjectNode opt = manifest.putObject("optimizer");
        opt.put("type", "AdamW");
        ObjectNode oc = opt.putObject("config");
        oc.put("beta1", c.optimizerConfig().beta1());
        oc.put("beta2", c.optimizerConfig().beta2());
        oc.put("eps", c.optimizerConfig().eps());
        oc.put("weightDecay", c.optimizerConfig().weightDecay());
        ObjectNode steps = opt.putObject("steps");
        ArrayNode tensors = manifest.putArray("tensors");

        putEntry(zip, CONFIG, c.config().toJson().getBytes(StandardCharsets.UTF_8));
        Map<String, Integer> index = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, INDArray> e : c.parameters().entrySet()) {
            index.put(e.getKey(), i);
            putTensor(zip, tensors, String.format("params/%05d.npy", i++), "parameter", e.getKey(), e.getValue());
        }
        i = 0;
        for (Map.Entry<String, INDArray> e : c.constants().entrySet()) {
            putTensor(zip, tensors, String.format("constants/%05d.npy", i++), "constant", e.getKey(), e.getValue());
        }
        for (Map.Entry<String, AdamW.ParamState> e : c.optimizer().entrySet()) {
            int k = index.get(e.getKey());
            putTensor(zip, tensors, String.format("optimizer/%05d.m.npy", k), "exp_avg", e.getKey(), e.getValue().expAvg());
            putTensor(zip, tensors, String.format("optimizer/%05d.v.npy", k), "exp_avg_sq", e.getKey(), e.getValue().expAvgSq());
            steps.put(e.getKey(), e.getValue().step());
        }
        putEntry(zip, MANIFEST, JSON.writeValueAsBytes(manifest));
    }

    private static void putTensor(ZipOutputStream zip, ArrayNode tensors, String entry, String role, String name, INDArray a)
            throws IOException {
        byte[] bytes = Npy.encode(a);
        long crc = putEntry(zip, entry, bytes);
        ObjectNode rec = tensors.addObject();
        rec.put("entry", entry);
        rec.put("role", role);
        rec.put("name", name);
        rec.put("dtype", a.dataType().name());
        ArrayNode shape = rec.putArray("shape");
        for (long s : a.shape()) shape.add(s);
        rec.put("crc32", crc);
    }

    /** Writes one STORED entry; returns its CRC-32. */
    private static long putEntry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        e.setCompressedSize(bytes.length);
        e.setCrc(crc.getValue());
        e.setTime(0);
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
        return crc.getValue();
    }

    private static void requireFinite(Checkpoint c) {
        c.parameters().forEach((k, a) -> requireFinite("parameter '" + k + "'", a));
        c.optimizer().forEach((k, s) -> {
            requireFinite("optimizer exp_avg of '" + k + "'", s.expAvg());
            requireFinite("optimizer exp_avg_sq of '" + k + "'", s.expAvgSq());
        });
    }

    private static void requireFinite(String what, INDArray a) {
        if (a.isEmpty() || !a.dataType().isFPType()) return;
        if (BooleanIndexing.or(a, Conditions.isNan()) || BooleanIndexing.or(a, Conditions.isInfinite())) {
            throw new IllegalArgumentException("refusing to write a checkpoint: " + what + " contains NaN or Inf");
        }
    }

    private static void syncDirectory(Path dir) {
        try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // some file systems cannot sync a directory; the rename itself is still atomic
        }
    }

    /** The manifest mapper (shared with the reader). */
    static ObjectMapper json() { return JSON; }

    /** A parsed JSON value or a {@link CheckpointException} naming the entry. */
    static JsonNode parse(Path file, String entry, byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CheckpointException(file, entry, null, "malformed JSON: " + e.getMessage(), e);
        }
    }
}
