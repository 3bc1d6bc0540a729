package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one JSON object per line to a metrics file, appending (a resumed run continues the same file), flushed
 * after every line so nothing already reported is lost on a crash. Records, by {@code "type"}:
 * <pre>
 * {"type":"step","time":"2026-01-01T12:00:00Z","step":12,"epoch":0,"loss":1.23,"lr":2.0E-4,"grad_norm":3.1,
 *  "it_per_sec":2.5,"weighted":{"loss_bbox":0.5,...},"unweighted":{"loss_bbox":0.1,...}}
 * {"type":"epoch_end","time":...,"epoch":0,"step":500}
 * {"type":"eval","time":...,"epoch":0,"step":500,"metrics":{"AP":0.31,"AP50":0.52,...}}
 * {"type":"train_end","time":...,"step":6000,"failure":null}
 * </pre>
 * Non-finite numbers are written as {@code null} (JSON has no NaN). After a resume, steps between the checkpoint and
 * the crash appear twice; readers keep the last record of a step ({@link TrainingCurves#fromMetricsFile} does).
 */
public final class JsonLinesMetrics implements TrainingListener, Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final BufferedWriter out;

    /**
     * Opens {@code file} for appending (creating it and its folders).
     *
     * @throws IOException if it cannot be opened
     */
    public JsonLinesMetrics(Path file) throws IOException {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public Path file() { return file; }

    @Override
    public void onStepEnd(StepMetrics m) {
        ObjectNode o = record("step");
        o.put("step", m.step());
        o.put("epoch", m.epoch());
        put(o, "loss", m.totalLoss());
        put(o, "lr", m.lr());
        put(o, "grad_norm", m.gradNorm());
        put(o, "it_per_sec", m.itPerSec());
        putAll(o.putObject("weighted"), m.weighted());
        putAll(o.putObject("unweighted"), m.unweighted());
        write(o);
    }

    @Override
    public void onEpochEnd(int epoch, long step) {
        ObjectNode o = record("epoch_end");
        o.put("epoch", epoch);
        o.put("step", step);
        write(o);
    }

    @Override
    public void onEval(EvalStats stats) {
        ObjectNode o = record("eval");
        o.put("epoch", stats.epoch());
        o.put("step", stats.step());
        ObjectNode metrics = o.putObject("metrics");
        stats.metrics().forEach((k, v) -> put(metrics, k, v));
        write(o);
    }

    @Override
    public void onTrainEnd(long step, Throwable failure) {
        ObjectNode o = record("train_end");
        o.put("step", step);
        if (failure == null) o.putNull("failure"); else o.put("failure", String.valueOf(failure.getMessage()));
        write(o);
    }

    private static ObjectNode record(String type) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", type);
        o.put("time", Instant.now().toString());
        return o;
    }

    private static void put(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v); else o.putNull(key);
    }

    private static void putAll(ObjectNode o, Map<String, Double> values) {
        new TreeMap<>(values).forEach((k, v) -> put(o, k, v));
    }

    private void write(ObjectNode o) {
        try {
            out.write(JSON.writeValueAsString(o));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + file, e);
        }
    }

    @Override
    public void close() throws IOException { out.close(); }

    /**
     * Reads a metrics file. A malformed last line (a crash while writing it) is skipped; any other malformed line is an
     * error naming the file and line number.
     *
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException on a malformed line before the last
     */
    public static List<JsonNode> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                JsonNode n = JSON.readTree(lines.get(i));
                if (n == null || !n.isObject() || !n.path("type").isTextual()) throw new IOException("not an object with a \"type\"");
                out.add(n);
            } catch (IOException e) {
                if (i == lines.size() - 1) break;
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " is not a metrics record: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
