package org.detrdistill.datasets.eval;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads and writes COCO results files: a JSON array of
 * {@code {"image_id": int, "category_id": int, "bbox": [x, y, w, h], "score": float}} (pixels, see
 * {@link DetectionResult}). Other members of an entry ({@code id}, {@code area}, {@code segmentation} ...) are skipped:
 * pycocotools' loadRes recomputes them. The order of the entries is kept; it breaks score ties.
 *
 * <p>Reading checks every entry and fails with a {@link CocoFormatException} naming the file, the entry
 * ({@code [i]}), the field and the line/column. Writing goes to a temporary file in the same directory that replaces
 * the target only once complete, so a failed write never destroys an earlier file.
 */
public final class CocoResults {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private CocoResults() {}

    /** Receives each entry of a results file, in file order. */
    @FunctionalInterface
    interface Sink {
        /**
         * @param entry 0-based position in the results array
         * @param in    the input, for error messages at the entry's end
         */
        void accept(int entry, long imageId, int categoryId, double x, double y, double w, double h, double score,
                    JsonInput in) throws IOException;
    }

    /** Reads a results file into records. */
    public static List<DetectionResult> read(Path file) throws IOException {
        List<DetectionResult> out = new ArrayList<>();
        try (JsonInput in = JsonInput.open(file)) {
            stream(in, (i, img, cat, x, y, w, h, s, src) -> out.add(new DetectionResult(img, cat, x, y, w, h, s)));
        }
        return out;
    }

    /** Parses a results JSON text; errors name {@code source}. */
    public static List<DetectionResult> parse(String json, String source) throws IOException {
        List<DetectionResult> out = new ArrayList<>();
        try (JsonInput in = JsonInput.of(json, source)) {
            stream(in, (i, img, cat, x, y, w, h, s, src) -> out.add(new DetectionResult(img, cat, x, y, w, h, s)));
        }
        return out;
    }

    /** Streams the entries of a results file to {@code sink} without building records. */
    static void stream(JsonInput in, Sink sink) throws IOException {
        double[] box = new double[4];
        try {
            in.expectNext(JsonToken.START_ARRAY, "the top level of a COCO results file");
            int i = 0;
            for (JsonToken t = in.next(); t != JsonToken.END_ARRAY; t = in.next(), i++) {
                String entry = "[" + i + "]";
                in.expectCurrent(JsonToken.START_OBJECT, "results entry " + entry);
                long imageId = 0;
                int categoryId = 0;
                double score = 0;
                int seen = 0; // bits: 1 image_id, 2 category_id, 4 bbox, 8 score
                while (in.next() == JsonToken.FIELD_NAME) {
                    String name = in.fieldName();
                    in.next();
                    switch (name) {
                        case "image_id" -> { imageId = in.readId(entry, name); seen |= 1; }
                        case "category_id" -> { categoryId = in.readIntId(entry, name); seen |= 2; }
                        case "bbox" -> { in.readBox(entry, name, box); seen |= 4; }
                        case "score" -> { score = in.readFinite(entry, name); seen |= 8; }
                        default -> in.skipValue();
                    }
                }
                if (seen != 15) {
                    String[] names = {"image_id", "category_id", "bbox", "score"};
                    int k = Integer.numberOfTrailingZeros(~seen);
                    throw in.error("results entry " + entry + ": missing field '" + names[k] + "'");
                }
                sink.accept(i, imageId, categoryId, box[0], box[1], box[2], box[3], score, in);
            }
            if (in.next() != null) throw in.error("unexpected content after the results array");
        } catch (JsonProcessingException e) {
            throw in.malformed(e);
        }
    }

    /**
     * Writes {@code results} to {@code file} as a COCO results JSON array (numbers with round-trip precision).
     * The file appears only once completely written; an existing file is replaced atomically where supported.
     */
    public static void write(Path file, Collection<DetectionResult> results) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                write(os, results);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code results} as a COCO results JSON array to {@code out} (UTF-8; {@code out} is left open). */
    public static void write(OutputStream out, Collection<DetectionResult> results) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartArray();
            for (DetectionResult r : results) {
                g.writeStartObject();
                g.writeNumberField("image_id", r.imageId());
                g.writeNumberField("category_id", r.categoryId());
                g.writeFieldName("bbox");
                g.writeStartArray();
                g.writeNumber(r.x());
                g.writeNumber(r.y());
                g.writeNumber(r.width());
                g.writeNumber(r.height());
                g.writeEndArray();
                g.writeNumberField("score", r.score());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }
}
