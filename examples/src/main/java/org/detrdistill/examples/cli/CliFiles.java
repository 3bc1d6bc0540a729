package org.detrdistill.examples.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Checks of input files named by options, done before a library reads them so that the error names the option as
 * well as the path ({@code no such file or directory: data/gt.json (--gt)}); {@link CliErrors} maps them to exit
 * code 2.
 */
final class CliFiles {
    private CliFiles() {}

    /**
     * Returns {@code file} if it is a readable regular file.
     *
     * @param option the option that named it, e.g. {@code --gt}
     * @throws NoSuchFileException   it does not exist
     * @throws IllegalArgumentException it is a directory
     * @throws AccessDeniedException it cannot be read
     */
    static Path requireFile(Path file, String option) throws NoSuchFileException, AccessDeniedException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, option);
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a directory, not a file");
        }
        if (!Files.isReadable(file)) throw new AccessDeniedException(file.toString(), null, option);
        return file;
    }
}
