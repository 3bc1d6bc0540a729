package org.detrdistill.examples.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one training run of the table gave (the teacher's or one student row at one seed). Written as
 * {@code result.json} in the run's folder; a later invocation with the same {@code settings} reuses it.
 *
 * @param row             the row key ({@code teacher} for the teacher)
 * @param seed            the run's seed
 * @param status          {@link #OK}, or why there is no number ({@code n/a (term not registered: kd_assign)},
 *                        {@code failed: ...})
 * @param ap              COCO AP on the validation split (NaN without one)
 * @param ap50            AP at IoU 0.5
 * @param ap75            AP at IoU 0.75
 * @param steps           optimizer steps taken
 * @param wallSeconds     wall time of the training (evaluation excluded)
 * @param threadCpuSeconds CPU time of the training thread
 * @param processCpuSeconds CPU time of the whole process during training
 * @param stepCpuMs       median thread CPU of a step after the first 5 (graph building excluded)
 * @param lossesFirst     mean weighted loss per family (detection {@code det}, each distillation term summed over its
 *                        stages/levels) over the first tenth of the steps
 * @param lossesLast      the same over the last tenth
 * @param settings        the JSON of everything the run depends on (configs, budget, seed, terms, teacher)
 */
public record TableRunResult(String row, long seed, String status, double ap, double ap50, double ap75, long steps,
                             double wallSeconds, double threadCpuSeconds, double processCpuSeconds, double stepCpuMs,
                             Map<String, Double> lossesFirst, Map<String, Double> lossesLast, String settings) {
    /** Status of a run that produced numbers. */
    public static final String OK = "ok";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public TableRunResult {
        lossesFirst = lossesFirst == null ? Map.of() : new LinkedHashMap<>(lossesFirst);
        lossesLast = lossesLast == null ? Map.of() : new LinkedHashMap<>(lossesLast);
    }

    /** A row that did not run (missing term) or failed: no numbers. */
    public static TableRunResult without(String row, long seed, String status, String settings) {
        return new TableRunResult(row, seed, status, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, 0, Double.NaN,
                Map.of(), Map.of(), settings);
    }

    /** Whether the run gave numbers. */
    public boolean ok() { return OK.equals(status); }

    /** Writes this result as JSON to {@code file}, atomically. */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(this));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads a result written by {@link #write}.
     *
     * @throws IllegalArgumentException naming the file if it is not a result
     */
    public static TableRunResult read(Path file) throws IOException {
        try {
            return JSON.readValue(Files.readString(file), TableRunResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not a table run result: " + e.getOriginalMessage(), e);
        }
    }

    /** Results as a JSON array (the table's {@code results.json}). */
    public static String toJson(java.util.List<TableRunResult> results) {
        try {
            return JSON.writeValueAsString(results);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
