package org.detrdistill.datasets.coco;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A COCO instances file that cannot be read: malformed JSON, a missing or mistyped required field, a duplicate id, or
 * (in strict mode) any entry that lenient mode would have skipped.
 *
 * <p>The message always names the file; it names the entry (for example {@code annotations[17] (id 42)}) and the
 * line/column where they are known. Line and column are 1-based; {@code -1} when unknown.
 */
public class CocoFormatException extends IOException {
    private final Path file;
    private final String entry;
    private final int line;
    private final int column;

    /**
     * @param file   the instances file
     * @param entry  the offending entry, e.g. {@code images[3] (id 7)}, or {@code null} for a whole-file problem
     * @param line   1-based line, or -1 if unknown
     * @param column 1-based column, or -1 if unknown
     * @param detail what is wrong
     * @param cause  the underlying parser error, or {@code null}
     */
    public CocoFormatException(Path file, String entry, int line, int column, String detail, Throwable cause) {
        super(format(file, entry, line, column, detail), cause);
        this.file = file;
        this.entry = entry;
        this.line = line;
        this.column = column;
    }

    private static String format(Path file, String entry, int line, int column, String detail) {
        StringBuilder sb = new StringBuilder().append(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (entry != null) {
            sb.append(entry).append(": ");
        }
        return sb.append(detail).toString();
    }

    /** The instances file. */
    public Path file() { return file; }

    /** The offending entry such as {@code annotations[17] (id 42)}, or {@code null} for a whole-file problem. */
    public String entry() { return entry; }

    /** 1-based line of the problem, or -1 if unknown. */
    public int line() { return line; }

    /** 1-based column of the problem, or -1 if unknown. */
    public int column() { return column; }
}
