package org.detrdistill.core.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One fixture case copied from {@code shared/fixtures/<group>/<case>} into
 * {@code src/test/resources/fixtures/<group>/<case>}: its {@code manifest.json} and its {@code .npy} files.
 */
public final class Fixture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final JsonNode manifest;

    private Fixture(Path dir) {
        this.dir = dir;
        try {
            this.manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("manifest.json"), e);
        }
    }

    /** Loads {@code fixtures/<group>/<caseName>} from the test class path. */
    public static Fixture load(String group, String caseName) {
        String res = "/fixtures/" + group + "/" + caseName + "/manifest.json";
        URL url = Fixture.class.getResource(res);
        if (url == null) throw new IllegalArgumentException("no fixture on the test class path: " + res);
        try {
            return new Fixture(Path.of(url.toURI()).getParent());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path dir() { return dir; }

    public JsonNode manifest() { return manifest; }

    public JsonNode config() { return manifest.path("config"); }

    public JsonNode expected() { return manifest.path("expected"); }

    public boolean has(String name) { return Files.exists(dir.resolve(name.endsWith(".npy") ? name : name + ".npy")); }

    /**
     * Reads {@code name(.npy)} exactly as stored (float64, float32, int64 or uint8). Empty arrays get the shape the
     * manifest lists ({@code Nd4j.createFromNpyFile} reads a {@code (0,)} file as one element).
     */
    public INDArray npy(String name) {
        String file = name.endsWith(".npy") ? name : name + ".npy";
        File f = dir.resolve(file).toFile();
        if (!f.isFile()) throw new IllegalArgumentException("fixture " + dir.getFileName() + " has no file " + file);
        long[] listed = listedShape(file);
        INDArray a = Nd4j.createFromNpyFile(f);
        if (listed != null && java.util.Arrays.stream(listed).anyMatch(d -> d == 0)) return Nd4j.create(a.dataType(), listed);
        return a;
    }

    /** The shape the manifest lists for {@code file}, or null. */
    private long[] listedShape(String file) {
        for (JsonNode entry : manifest.path("files")) {
            if (file.equals(entry.path("name").asText()) && entry.path("shape").isArray()) {
                long[] s = new long[entry.path("shape").size()];
                for (int i = 0; i < s.length; i++) s[i] = entry.path("shape").get(i).asLong();
                return s;
            }
        }
        return null;
    }

    /** Reads {@code name(.npy)} and casts it to {@code type}. */
    public INDArray npy(String name, DataType type) {
        return npy(name).castTo(type);
    }
}
