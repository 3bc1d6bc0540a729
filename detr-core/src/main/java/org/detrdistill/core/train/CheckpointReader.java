package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.checkpoint.Npy;
import org.detrdistill.core.model.DetectorConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads and validates the zip written by {@link CheckpointFile}: manifest format and version, every manifest field
 * (type and range), the detector config (through {@link DetectorConfig#fromJson}), every listed entry (present,
 * CRC-32, .npy header, dtype and shape as listed), pairing of optimizer moments with parameters, and no unlisted entry.
 * Every failure is a {@link CheckpointException} naming the file, the entry and the field.
 */
final class CheckpointReader {
    private final Path file;
    private final ZipFile zip;

    private CheckpointReader(Path file, ZipFile zip) {
        this.file = file;
        this.zip = zip;
    }

    /**
     * @param materialize false = validate only (checksums and headers; no arrays are decoded), returns null
     */
    static Checkpoint read(Path file, boolean materialize) {
        if (!Files.isRegularFile(file)) throw new CheckpointException(file, null, null, "no such file", null);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return new CheckpointReader(file, zip).parse(materialize);
        } catch (IOException e) {
            throw new CheckpointException(file, null, null, "not a readable zip file (" + e.getMessage() + ")", e);
        }
    }

    private Checkpoint parse(boolean materialize) throws IOException {
        JsonNode m = CheckpointFile.parse(file, CheckpointFile.MANIFEST, bytes(CheckpointFile.MANIFEST));
        String format = text(m, "format");
        if (!CheckpointFile.FORMAT.equals(format)) fail(CheckpointFile.MANIFEST, "format", "expected '" + CheckpointFile.FORMAT + "', got '" + format + "'");
        long version = integer(m, "version", 1, Integer.MAX_VALUE);
        if (version != CheckpointFile.VERSION) fail(CheckpointFile.MANIFEST, "version", "unsupported version " + version + " (this reader: " + CheckpointFile.VERSION + ")");

        String configJson = new String(bytes(CheckpointFile.CONFIG), StandardCharsets.UTF_8);
        DetectorConfig config;
        try {
            config = DetectorConfig.fromJson(configJson, file + "!" + CheckpointFile.CONFIG);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, CheckpointFile.CONFIG, null, e.getMessage(), e);
        }

        TrainingState training;
        JsonNode t = object(m, "training");
        JsonNode best = t.get("bestMetric");
        if (best == null || !(best.isNull() || best.isNumber())) fail(CheckpointFile.MANIFEST, "training.bestMetric", "must be a number or null");
        try {
            training = new TrainingState((int) integer(t, "training.epoch", 0, Integer.MAX_VALUE), integer(t, "training.step", 0, Long.MAX_VALUE),
                    best.isNull() ? Double.NaN : best.asDouble(), (int) integer(t, "training.bestEpoch", -1, Integer.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            if (e instanceof CheckpointException) throw e;
            throw new CheckpointException(file, CheckpointFile.MANIFEST, "training", e.getMessage(), e);
        }
        JsonNode r = object(m, "rng");
        long gamma = integer(r, "rng.javaGamma", Long.MIN_VALUE, Long.MAX_VALUE);
        if ((gamma & 1) == 0) fail(CheckpointFile.MANIFEST, "rng.javaGamma", "must be odd, got " + gamma);
        RngState rng = new RngState(integer(r, "rng.javaSeed", Long.MIN_VALUE, Long.MAX_VALUE), gamma,
                integer(r, "rng.nd4jRootState", Long.MIN_VALUE, Long.MAX_VALUE), integer(r, "rng.nd4jNodeState", Long.MIN_VALUE, Long.MAX_VALUE));
        JsonNode o = object(m, "optimizer");
        if (!"AdamW".equals(text(o, "optimizer.type"))) fail(CheckpointFile.MANIFEST, "optimizer.type", "expected 'AdamW', got '" + o.get("type") + "'");
        JsonNode oc = object(o, "optimizer.config");
        AdamWConfig optConfig;
        try {
            optConfig = new AdamWConfig(number(oc, "optimizer.config.beta1"), number(oc, "optimizer.config.beta2"),
                    number(oc, "optimizer.config.eps"), number(oc, "optimizer.config.weightDecay"));
        } catch (IllegalArgumentException e) {
            if (e instanceof CheckpointException) throw e;
            throw new CheckpointException(file, CheckpointFile.MANIFEST, "optimizer.config", e.getMessage(), e);
        }
        Map<String, Long> steps = new LinkedHashMap<>();
        JsonNode s = object(o, "optimizer.steps");
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            steps.put(e.getKey(), integer(s, e.getKey(), "optimizer.steps." + e.getKey(), 1, Long.MAX_VALUE));
        }

        Map<String, INDArray> params = new LinkedHashMap<>(), consts = new LinkedHashMap<>(), ms = new LinkedHashMap<>(), vs = new LinkedHashMap<>();
        Map<String, long[]> paramShapes = new LinkedHashMap<>(), mShapes = new LinkedHashMap<>(), vShapes = new LinkedHashMap<>();
        Set<String> listed = new HashSet<>(Set.of(CheckpointFile.MANIFEST, CheckpointFile.CONFIG));
        Set<String> seen = new HashSet<>();
        JsonNode tensors = m.get("tensors");
        if (tensors == null || !tensors.isArray()) fail(CheckpointFile.MANIFEST, "tensors", "missing or not an array");
        for (int i = 0; i < tensors.size(); i++) {
            JsonNode rec = tensors.get(i);
            String f = "tensors[" + i + "]";
            String entry = text(rec, f + ".entry");
            String role = text(rec, f + ".role");
            String name = text(rec, f + ".name");
            DataType dtype = parseType(text(rec, f + ".dtype"), f + ".dtype");
            long[] shape = shape(rec.get("shape"), f + ".shape");
            long crc = integer(rec, f + ".crc32", 0, 0xffffffffL);
            if (!listed.add(entry)) fail(CheckpointFile.MANIFEST, f + ".entry", "entry '" + entry + "' listed twice");
            byte[] b = bytes(entry);
            CRC32 c = new CRC32();
            c.update(b);
            if (c.getValue() != crc) fail(entry, f + ".crc32", "checksum mismatch: manifest " + crc + ", data " + c.getValue() + " (corrupt file)");
            Npy.Header h;
            try {
                h = Npy.header(b, file + "!" + entry);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file, entry, null, e.getMessage(), e);
            }
            if (h.type() != dtype) fail(entry, f + ".dtype", "manifest " + dtype + ", data " + h.type());
            if (!Arrays.equals(h.shape(), shape)) fail(entry, f + ".shape", "manifest " + Arrays.toString(shape) + ", data " + Arrays.toString(h.shape()));
            INDArray a = materialize ? Npy.decode(b, file + "!" + entry) : null;
            Map<String, INDArray> target;
            Map<String, long[]> shapes = null;
            switch (role) {
                case "parameter" -> { target = params; shapes = paramShapes; }
                case "constant" -> target = consts;
                case "exp_avg" -> { target = ms; shapes = mShapes; }
                case "exp_avg_sq" -> { target = vs; shapes = vShapes; }
                default -> throw new CheckpointException(file, CheckpointFile.MANIFEST, f + ".role",
                        "unknown role '" + role + "'; valid: parameter, constant, exp_avg, exp_avg_sq", null);
            }
            if (!seen.add(role + "\u0000" + name)) fail(CheckpointFile.MANIFEST, f + ".name", role + " '" + name + "' listed twice");
            if (shapes != null) shapes.put(name, shape);
            if (a != null) target.put(name, a);
        }
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String n = en.nextElement().getName();
            if (!listed.contains(n)) fail(n, null, "entry not listed in the manifest");
        }
        for (String name : steps.keySet()) {
            long[] p = paramShapes.get(name);
            if (p == null) fail(CheckpointFile.MANIFEST, "optimizer.steps." + name, "optimizer state for '" + name + "', which is not a parameter");
            if (!mShapes.containsKey(name)) fail(CheckpointFile.MANIFEST, "optimizer.steps." + name, "no exp_avg entry for '" + name + "'");
            if (!vShapes.containsKey(name)) fail(CheckpointFile.MANIFEST, "optimizer.steps." + name, "no exp_avg_sq entry for '" + name + "'");
            if (!Arrays.equals(p, mShapes.get(name)) || !Arrays.equals(p, vShapes.get(name))) {
                fail(CheckpointFile.MANIFEST, "optimizer.steps." + name, "optimizer state shape differs from the parameter's " + Arrays.toString(p));
            }
        }
        for (String name : mShapes.keySet()) if (!steps.containsKey(name)) fail(CheckpointFile.MANIFEST, "optimizer.steps", "no step count for '" + name + "'");
        for (String name : vShapes.keySet()) if (!steps.containsKey(name)) fail(CheckpointFile.MANIFEST, "optimizer.steps", "no step count for '" + name + "'");
        if (!materialize) return null;
        Map<String, AdamW.ParamState> opt = new LinkedHashMap<>();
        steps.forEach((name, step) -> opt.put(name, new AdamW.ParamState(ms.get(name), vs.get(name), step)));
        return new Checkpoint(config, params, consts, opt, optConfig, training, rng);
    }

    private byte[] bytes(String entry) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        if (e == null) fail(entry, null, "missing");
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    private void fail(String entry, String field, String detail) {
        throw new CheckpointException(file, entry, field, detail, null);
    }

    private JsonNode field(JsonNode parent, String key, String path) {
        JsonNode v = parent == null ? null : parent.get(key);
        if (v == null || v.isNull()) fail(CheckpointFile.MANIFEST, path, "missing");
        return v;
    }

    private static String last(String path) { return path.substring(path.lastIndexOf('.') + 1); }

    private JsonNode object(JsonNode parent, String path) {
        JsonNode v = field(parent, last(path), path);
        if (!v.isObject()) fail(CheckpointFile.MANIFEST, path, "must be an object");
        return v;
    }

    private String text(JsonNode parent, String path) {
        JsonNode v = field(parent, last(path), path);
        if (!v.isTextual()) fail(CheckpointFile.MANIFEST, path, "must be a string, got " + v);
        return v.asText();
    }

    private double number(JsonNode parent, String path) {
        JsonNode v = field(parent, last(path), path);
        if (!v.isNumber()) fail(CheckpointFile.MANIFEST, path, "must be a number, got " + v);
        return v.asDouble();
    }

    private long integer(JsonNode parent, String path, long min, long max) {
        return integer(parent, last(path), path, min, max);
    }

    private long integer(JsonNode parent, String key, String path, long min, long max) {
        JsonNode v = field(parent, key, path);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) fail(CheckpointFile.MANIFEST, path, "must be an integer, got " + v);
        long x = v.asLong();
        if (x < min || x > max) fail(CheckpointFile.MANIFEST, path, "out of range [" + min + ", " + max + "]: " + x);
        return x;
    }

    private long[] shape(JsonNode v, String path) {
        if (v == null || !v.isArray()) fail(CheckpointFile.MANIFEST, path, "missing or not an array");
        long[] s = new long[v.size()];
        for (int i = 0; i < s.length; i++) {
            if (!v.get(i).isIntegralNumber() || v.get(i).asLong() < 0) fail(CheckpointFile.MANIFEST, path, "not a list of sizes: " + v);
            s[i] = v.get(i).asLong();
        }
        return s;
    }

    private DataType parseType(String name, String path) {
        try {
            return DataType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, CheckpointFile.MANIFEST, path, "unknown data type '" + name + "'", e);
        }
    }
}
