package org.detrdistill.datasets.image;

import java.io.IOException;

/**
 * An image file that is missing, unreadable or cannot be decoded. The message names the file (and, when raised by an
 * iterator, the COCO image id).
 */
public class ImageDecodeException extends IOException {
    private final String source;

    /**
     * @param source the file or source name
     * @param detail what went wrong
     * @param cause  underlying error, or {@code null}
     */
    public ImageDecodeException(String source, String detail, Throwable cause) {
        super(source + ": " + detail, cause);
        this.source = source;
    }

    /** The file or source name the error is about. */
    public String source() { return source; }
}
