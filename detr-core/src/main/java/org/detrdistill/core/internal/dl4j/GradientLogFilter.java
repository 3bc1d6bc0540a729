package org.detrdistill.core.internal.dl4j;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Silences the line SameDiff 1.0.0-M2.1 prints for every op when it builds a gradient graph
 * ({@code SameDiff.createGradFunction} calls {@code System.out.println("Added differentiated op " + name)}
 * unconditionally: about a thousand lines on stdout at the first training step of a detector, which no logging
 * configuration can turn off).
 *
 * <p>{@link #install()} replaces {@link System#out} with a {@link PrintStream} that drops exactly the
 * {@code println(String)} calls whose text starts with {@value #PREFIX} and passes everything else to the previous
 * stream unchanged. Call it once at program start (the CLI and the example mains do); it is idempotent and
 * thread-safe. A program that sets {@code System.out} afterwards replaces the filter.
 */
public final class GradientLogFilter extends PrintStream {
    /** The start of the lines that are dropped. */
    public static final String PREFIX = "Added differentiated op ";

    private GradientLogFilter(PrintStream target) {
        super((OutputStream) target, true);
    }

    /**
     * Puts the filter in front of the current {@code System.out} unless it is already there.
     *
     * @return true if installed now, false if it already was
     */
    public static synchronized boolean install() {
        if (System.out instanceof GradientLogFilter) return false;
        System.setOut(new GradientLogFilter(System.out));
        return true;
    }

    /** Whether {@code System.out} is currently filtered. */
    public static boolean isInstalled() {
        return System.out instanceof GradientLogFilter;
    }

    @Override
    public void println(String line) {
        if (line != null && line.startsWith(PREFIX)) return;
        super.println(line);
    }
}
