package org.detrdistill.core.train;

import java.nio.file.Path;

/**
 * A checkpoint file is missing, unreadable or invalid. The message names the file, the zip entry and the manifest
 * field where that applies, e.g. {@code checkpoint runs/a/last.zip: entry params/0003.npy: field 'crc32': ...}.
 */
public final class CheckpointException extends IllegalArgumentException {
    private final transient Path file;
    private final String entry;
    private final String field;

    /**
     * @param file   the checkpoint file
     * @param entry  the zip entry, or null
     * @param field  the manifest field (dotted path), or null
     * @param detail what is wrong
     * @param cause  the underlying exception, or null
     */
    public CheckpointException(Path file, String entry, String field, String detail, Throwable cause) {
        super("checkpoint " + file + (entry == null ? "" : ": entry " + entry) + (field == null ? "" : ": field '" + field + "'")
                + ": " + detail, cause);
        this.file = file;
        this.entry = entry;
        this.field = field;
    }

    public Path file() { return file; }

    /** The zip entry, or null. */
    public String entry() { return entry; }

    /** The manifest field, or null. */
    public String field() { return field; }
}
