package org.detrdistill.core.internal.dl4j;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Runs a call with {@link System#out} discarded. DL4J's ONNX importer ({@code OnnxFrameworkImporter.runImport},
 * samediff-import-onnx 1.0.0-M2.1) prints the whole imported graph to {@code System.out} — its initializer names,
 * {@code SameDiff.summary()} (one line per variable: about a megabyte for a detector) and an
 * {@code "Unable to resolve attribute ..."} line per op attribute it ignores — unconditionally, with no logging
 * switch; a command-line tool whose stdout is its result cannot have that.
 *
 * <p>{@link #run} swaps {@code System.out} for a discarding stream and restores it afterwards, also when the call
 * throws. It is process-wide for the duration of the call: output of other threads to {@code System.out} is dropped
 * too (the import runs at start-up, before training or printing). {@code System.err} is left alone. Calls are
 * serialised.
 */
public final class QuietStdout {
    private QuietStdout() {}

    /** Runs {@code call} with {@code System.out} discarded; returns its result. */
    public static synchronized <T> T run(Supplier<T> call) {
        PrintStream saved = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return call.get();
        } finally {
            System.setOut(saved);
        }
    }
}
