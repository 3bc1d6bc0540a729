package org.detrdistill.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.detrdistill.datasets.eval.CocoFormatException;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The exception-to-line-and-exit-code table of {@link CliErrors}. */
class CliErrorsTest {
    private static void check(Throwable e, int code, String line) {
        CliErrors.Failure f = CliErrors.classify(e);
        assertEquals(line, f.message());
        assertEquals(code, f.exitCode(), line);
    }

    @Test
    void badInputIsExitCodeTwo() {
        check(new IllegalArgumentException("unknown detector variant 'x'; valid variants: a, b"), 2,
                "unknown detector variant 'x'; valid variants: a, b");
        check(new CocoFormatException("gt.json", 3, 7, "annotations[2]: missing 'bbox'"), 2,
                new CocoFormatException("gt.json", 3, 7, "annotations[2]: missing 'bbox'").getMessage());
        check(new NoSuchFileException("data/gt.json", null, "--gt"), 2, "no such file or directory: data/gt.json (--gt)");
        check(new NoSuchFileException("data/gt.json"), 2, "no such file or directory: data/gt.json");
        check(new AccessDeniedException("/root/x"), 2, "permission denied: /root/x");
        check(new DirectoryNotEmptyException("out"), 2, "directory not empty: out");
        check(new DirectoryNotEmptyException("out: refusing to write into it"), 2, "out: refusing to write into it");
        check(new FileNotFoundException("gt.json (No such file or directory)"), 2, "cannot open gt.json (No such file or directory)");
        check(new UncheckedIOException(new NoSuchFileException("a.json")), 2, "no such file or directory: a.json");
    }

    @Test
    void malformedJsonIsExitCodeTwoWithTheLocation() {
        JsonProcessingException e = null;
        try {
            new ObjectMapper().readTree("{\"a\": ");
        } catch (JsonProcessingException x) {
            e = x;
        }
        CliErrors.Failure f = CliErrors.classify(e);
        assertEquals(2, f.exitCode());
        assertEquals(true, f.message().startsWith("malformed JSON: ") && f.message().contains("(line 1, column"), f.message());
    }

    @Test
    void failuresWhileRunningAreExitCodeOne() {
        check(new FileSystemException("out/a.jpg", null, "No space left on device"), 1,
                "I/O error: out/a.jpg (No space left on device)");
        check(new IOException("stream closed"), 1, "I/O error: stream closed");
        check(new IllegalStateException("graph has no output"), 1, "IllegalStateException: graph has no output");
        check(new NullPointerException(), 1, "NullPointerException: java.lang.NullPointerException");
    }
}
