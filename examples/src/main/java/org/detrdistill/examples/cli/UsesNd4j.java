package org.detrdistill.examples.cli;

import org.detrdistill.core.runtime.NativeRuntime;

import java.io.PrintWriter;

/**
 * Marks a command that computes with ND4J. Before such a command runs (and after its arguments parsed without
 * error), {@link DetrDistillCli} calls {@link NativeRuntime#prepare()} — which picks the native build for this CPU and
 * applies the thread setting before ND4J loads — and hands its one-line description to {@link #runtimeReady}.
 *
 * <p>Commands that never touch ND4J do not implement this, so they do not pay the native start-up (a few seconds
 * and a few hundred MB).
 */
public interface UsesNd4j {

    /**
     * Whether this invocation needs ND4J. A command whose options decide it (e.g. evaluating files versus running a
     * model) returns false for the forms that do not; the default is true.
     */
    default boolean needsNd4j() {
        return true;
    }

    /**
     * Called once the runtime is prepared, before the command runs. The default prints the description to
     * {@code err} (so stdout stays the command's own output).
     *
     * @param description {@link NativeRuntime#prepare()}'s line, e.g. {@code ND4J CPU backend, native build ...}
     * @param err         the command line's error writer
     */
    default void runtimeReady(String description, PrintWriter err) {
        err.println(description);
        err.flush();
    }
}
