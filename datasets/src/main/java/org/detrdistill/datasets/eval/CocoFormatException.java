package org.detrdistill.datasets.eval;

import java.io.IOException;

/**
 * A COCO ground-truth or results file that cannot be used: malformed JSON, a missing or ill-typed field, or an entry
 * that contradicts the rest of the data (for example a detection on an image the ground truth does not have).
 *
 * <p>The message always starts with the file (or source) name, names the entry ({@code annotations[12]},
 * {@code [3]} for the fourth detection) and, where the problem was found while parsing, the line and column.
 */
public final class CocoFormatException extends IOException {
    private final String source;
    private final long line;
    private final long column;

    /**
     * @param source  file name or other source label, e.g. {@code instances_val2017.json}
     * @param line    1-based line of the offending token, or {@code -1} when unknown
     * @param column  1-based column of the offending token, or {@code -1} when unknown
     * @param message what is wrong, naming the entry and field
     */
    public CocoFormatException(String source, long line, long column, String message) {
        super(format(source, line, column, message));
        this.source = source;
        this.line = line;
        this.column = column;
    }

    /** Same, keeping the parser's exception as the cause. */
    public CocoFormatException(String source, long line, long column, String message, Throwable cause) {
        super(format(source, line, column, message), cause);
        this.source = source;
        this.line = line;
        this.column = column;
    }

    private static String format(String source, long line, long column, String message) {
        String where = line > 0 ? " (line " + line + ", column " + column + ")" : "";
        return source + ": " + message + where;
    }

    /** The file name or source label the problem was found in. */
    public String source() { return source; }

    /** 1-based line of the problem, {@code -1} when it was not found while parsing. */
    public long line() { return line; }

    /** 1-based column of the problem, {@code -1} when it was not found while parsing. */
    public long column() { return column; }
}
