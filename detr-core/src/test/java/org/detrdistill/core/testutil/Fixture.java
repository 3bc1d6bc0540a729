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

    /** Reads {@code name(.npy)} exactly as stored (float64, float32, int64 or uint8). */
    public INDArray npy(String name) {
        File f = dir.resolve(name.endsWith(".npy") ? name : name + ".npy").toFile();
        if (!f.isFile()) throw new IllegalArgumentException("fixture " + dir.getFileName() + " has no file " + f.getName());
        return Nd4j.createFromNpyFile(f);
    }

    /** Reads {@code name(.npy)} and casts it to {@code type}. */
    public INDArray npy(String name, DataType type) {
        return npy(name).castTo(type);
    }
}
