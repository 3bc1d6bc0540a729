package org.detrdistill.core.internal.dl4j;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** {@link QuietStdout}: stdout is discarded during the call only, and restored also when the call throws. */
class QuietStdoutTest {

    @Test
    void discardsStdoutDuringTheCallAndRestoresItAfterwards() {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        try {
            System.out.println("before");
            int r = QuietStdout.run(() -> {
                System.out.println("--- Summary --- (what the ONNX importer prints)");
                return 42;
            });
            assertEquals(42, r);
            System.out.println("after");
            assertThrows(IllegalStateException.class, () -> QuietStdout.run(() -> {
                System.out.println("dropped too");
                throw new IllegalStateException("import failed");
            }));
            assertSame(capture, System.out, "restored after an exception");
            System.out.println("end");
        } finally {
            System.setOut(saved);
        }
        assertEquals(String.join(System.lineSeparator(), "before", "after", "end", ""), captured.toString(StandardCharsets.UTF_8));
    }
}
