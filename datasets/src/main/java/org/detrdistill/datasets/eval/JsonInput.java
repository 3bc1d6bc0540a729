package org.detrdistill.datasets.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A streaming JSON cursor over one COCO file with the typed reads the readers need, every failure reported as a
 * {@link CocoFormatException} naming the file, the entry, the field and the line/column.
 *
 * <p>Jackson's own parse errors (malformed JSON, truncated file) are turned into the same exception by
 * {@link #malformed(JsonProcessingException)}. Only the current token is held in memory.
 */
final class JsonInput implements Closeable {
    private static final JsonFactory FACTORY =
            JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

    private final JsonParser parser;
    private final String source;

    private JsonInput(JsonParser parser, String source) {
        this.parser = parser;
        this.source = source;
    }

    /** Opens {@code file}; errors are labelled with its file name. */
    static JsonInput open(Path file) throws IOException {
        return new JsonInput(FACTORY.createParser(file.toFile()), file.getFileName().toString());
    }

    /** Opens a JSON text held in memory (tests, small inputs); errors are labelled with {@code source}. */
    static JsonInput of(String json, String source) throws IOException {
        return new JsonInput(FACTORY.createParser(json), source);
    }

    String source() { return source; }

    /** Advances to the next token; {@code null} at the end of input. */
    JsonToken next() throws IOException {
        return parser.nextToken();
    }

    JsonToken current() { return parser.currentToken(); }

    /** Name of the current {@code FIELD_NAME} token. */
    String fieldName() throws IOException { return parser.currentName(); }

    /** Skips the value at the current token (a whole object or array if it starts one). */
    void skipValue() throws IOException { parser.skipChildren(); }

    /** Advances and requires {@code expected}; {@code what} describes the value, e.g. {@code "the top level"}. */
    void expectNext(JsonToken expected, String what) throws IOException {
        JsonToken t = parser.nextToken();
        if (t != expected) throw error(what + " must be " + describe(expected) + ", found " + describe(t));
    }

    /** Requires the current token to be {@code expected}. */
    void expectCurrent(JsonToken expected, String what) throws CocoFormatException {
        JsonToken t = parser.currentToken();
        if (t != expected) throw error(what + " must be " + describe(expected) + ", found " + describe(t));
    }

    /**
     * The current token as an integer id. JSON integers are accepted, and floats with an integral value (e.g.
     * {@code 3.0}, as some writers emit), which Python's dict lookups in pycocotools also treat as equal to {@code 3}.
     */
    long readId(String entry, String field) throws IOException {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            try {
                return parser.getLongValue();
            } catch (IOException e) {
                throw error(entry + ": field '" + field + "' does not fit a 64-bit integer");
            }
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            double v = parser.getDoubleValue();
            if (v == Math.rint(v) && Math.abs(v) < 0x1p53) return (long) v;
        }
        throw error(entry + ": field '" + field + "' must be an integer id, found " + describeValue(t));
    }

    /** The current token as an {@code int} id (category ids). */
    int readIntId(String entry, String field) throws IOException {
        long v = readId(entry, field);
        if (v != (int) v) throw error(entry + ": field '" + field + "' = " + v + " does not fit a 32-bit integer");
        return (int) v;
    }

    /** The current token as a finite number (JSON integer or float, converted exactly as Python's float()). */
    double readFinite(String entry, String field) throws IOException {
        JsonToken t = parser.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw error(entry + ": field '" + field + "' must be a number, found " + describeValue(t));
        }
        double v = parser.getDoubleValue();
        if (!Double.isFinite(v)) throw error(entry + ": field '" + field + "' must be finite, found " + parser.getText());
        return v;
    }

    /** The current token as a 0/1 flag: JSON {@code true}/{@code false} or a number (non-zero = true). */
    boolean readFlag(String entry, String field) throws IOException {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_TRUE) return true;
        if (t == JsonToken.VALUE_FALSE) return false;
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) return parser.getDoubleValue() != 0;
        throw error(entry + ": field '" + field + "' must be 0/1 or a boolean, found " + describeValue(t));
    }

    /** Reads a {@code [x, y, w, h]} array starting at the current token into {@code out[0..3]}. */
    void readBox(String entry, String field, double[] out) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw error(entry + ": field '" + field + "' must be an array [x, y, w, h], found "
                    + describeValue(parser.currentToken()));
        }
        int n = 0;
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
            if (n == 4) throw error(entry + ": field '" + field + "' must have exactly 4 numbers [x, y, w, h], found more");
            out[n] = readFinite(entry, field + "[" + n + "]");
            n++;
        }
        if (n != 4) throw error(entry + ": field '" + field + "' must have exactly 4 numbers [x, y, w, h], found " + n);
    }

    /** An exception at the current token's location. */
    CocoFormatException error(String message) {
        JsonLocation loc = parser.currentTokenLocation();
        return new CocoFormatException(source, loc.getLineNr(), loc.getColumnNr(), message);
    }

    /** An exception about the whole file or an entry whose position is no longer current. */
    CocoFormatException errorNoLocation(String message) {
        return new CocoFormatException(source, -1, -1, message);
    }

    /** Turns a Jackson parse error (malformed or truncated JSON) into a {@link CocoFormatException}. */
    CocoFormatException malformed(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        long line = loc == null ? -1 : loc.getLineNr();
        long col = loc == null ? -1 : loc.getColumnNr();
        return new CocoFormatException(source, line, col, "malformed JSON: " + e.getOriginalMessage(), e);
    }

    private String describeValue(JsonToken t) throws IOException {
        if (t == null) return "end of input";
        return switch (t) {
            case VALUE_STRING -> "string \"" + abbreviate(parser.getText()) + "\"";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + parser.getText();
            default -> describe(t);
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    static String describe(JsonToken t) {
        if (t == null) return "end of input";
        return switch (t) {
            case START_OBJECT -> "an object";
            case END_OBJECT -> "the end of an object";
            case START_ARRAY -> "an array";
            case END_ARRAY -> "the end of an array";
            case FIELD_NAME -> "a field name";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
