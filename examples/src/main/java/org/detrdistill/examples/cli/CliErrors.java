package org.detrdistill.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.detrdistill.core.train.NonFiniteException;
import org.detrdistill.datasets.eval.CocoFormatException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * How the CLI reports errors: one line on stderr, {@code detr-distill: error: <message>}, and an exit code —
 * {@link DetrDistillCli#EXIT_USAGE} (2) for bad usage or bad input, {@link DetrDistillCli#EXIT_FAILURE} (1) for a
 * failure while running. With {@code --verbose} the stack trace follows the line.
 *
 * <table>
 *   <caption>classification</caption>
 *   <tr><th>exception</th><th>exit</th><th>line</th></tr>
 *   <tr><td>picocli {@link ParameterException} (unknown or missing option, bad value)</td><td>2</td>
 *       <td>picocli's message and {@code (see 'detr-distill CMD --help')}</td></tr>
 *   <tr><td>{@link IllegalArgumentException} (invalid config value, unknown name: the message lists the valid
 *       ones)</td><td>2</td><td>its message</td></tr>
 *   <tr><td>{@link CocoFormatException} (malformed COCO file; names file, entry, line)</td><td>2</td>
 *       <td>its message</td></tr>
 *   <tr><td>{@link JsonProcessingException} (malformed JSON)</td><td>2</td>
 *       <td>malformed JSON, with the location</td></tr>
 *   <tr><td>{@link FileNotFoundException} (a file that cannot be opened)</td><td>2</td><td>{@code cannot open } and
 *       the JDK's message (path and reason)</td></tr>
 *   <tr><td>{@link NoSuchFileException}, {@link AccessDeniedException}, {@link NotDirectoryException},
 *       {@link FileAlreadyExistsException}, {@link DirectoryNotEmptyException}</td><td>2</td>
 *       <td>what is wrong, and the path</td></tr>
 *   <tr><td>any other {@link IOException}</td><td>1</td><td>{@code I/O error: } message</td></tr>
 *   <tr><td>anything else</td><td>1</td><td>exception type and message</td></tr>
 * </table>
 * An {@link UncheckedIOException} is classified by its cause.
 */
public final class CliErrors {
    /** Prefix of every error line. */
    public static final String PREFIX = "detr-distill: error: ";

    private CliErrors() {}

    /** A classified error: the exit code and the one-line message (without {@link #PREFIX}). */
    public record Failure(int exitCode, String message) {}

    /** Classifies {@code e} (see the class comment). Never null. */
    public static Failure classify(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) return classify(u.getCause());
        int usage = DetrDistillCli.EXIT_USAGE;
        if (e instanceof NonFiniteException) return new Failure(DetrDistillCli.EXIT_FAILURE, describe(e));
        if (e instanceof IllegalArgumentException) return new Failure(usage, describe(e));
        if (e instanceof CocoFormatException) return new Failure(usage, e.getMessage());
        if (e instanceof JsonProcessingException j) {
            var loc = j.getLocation();
            return new Failure(usage, "malformed JSON: " + j.getOriginalMessage()
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"));
        }
        if (e instanceof NoSuchFileException f) return new Failure(usage, fileMessage("no such file or directory", f));
        if (e instanceof AccessDeniedException f) return new Failure(usage, fileMessage("permission denied", f));
        if (e instanceof NotDirectoryException f) return new Failure(usage, fileMessage("not a directory", f));
        if (e instanceof FileAlreadyExistsException f) return new Failure(usage, fileMessage("already exists", f));
        if (e instanceof DirectoryNotEmptyException f) return new Failure(usage, fileMessage("directory not empty", f));
        if (e instanceof FileNotFoundException) return new Failure(usage, "cannot open " + describe(e));
        int failure = DetrDistillCli.EXIT_FAILURE;
        if (e instanceof FileSystemException f) return new Failure(failure, "I/O error: " + fileMessage(null, f));
        if (e instanceof IOException) return new Failure(failure, "I/O error: " + describe(e));
        return new Failure(failure, e.getClass().getSimpleName() + ": " + describe(e));
    }

    /**
     * A file-system exception as one line: {@code what: path [-> other] [(OS reason)]}. The JDK's carry the path in
     * {@code getFile()}; the libraries' own (e.g. the synthetic generator refusing a non-empty directory) pass a
     * whole sentence that starts with the path and contains {@code ": "}, which is kept as it is.
     */
    private static String fileMessage(String what, FileSystemException f) {
        String file = f.getFile(), reason = f.getReason(), other = f.getOtherFile();
        if (file == null) return describe(f);
        if (reason == null && other == null && file.contains(": ")) return file;
        StringBuilder sb = new StringBuilder();
        if (what != null) sb.append(what).append(": ");
        sb.append(file);
        if (other != null) sb.append(" -> ").append(other);
        if (reason != null) sb.append(" (").append(reason).append(')');
        return sb.toString();
    }

    /** The message of {@code e}, or its type when it has none. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getName() : m;
    }

    /** Prints the error line (and, if {@code verbose}, the stack trace) to the command's stderr; returns the code. */
    static int report(Throwable e, CommandLine cl, boolean verbose) {
        Failure f = classify(e);
        PrintWriter err = cl.getErr();
        err.println(PREFIX + f.message());
        if (verbose) e.printStackTrace(err);
        err.flush();
        return f.exitCode();
    }

    /** picocli hook for exceptions thrown by a command. */
    static int handleExecutionException(Exception e, CommandLine cl, ParseResult fullParseResult) {
        return report(e, cl, DetrDistillCli.isVerbose(fullParseResult));
    }

    /** picocli hook for bad usage: one line naming the problem and where the help is; exit code 2. */
    static int handleParameterException(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = e.getMessage().startsWith("Error: ") ? e.getMessage().substring(7) : e.getMessage();
        err.println(PREFIX + message + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        if (verboseRequested(args)) e.printStackTrace(err);
        err.flush();
        return DetrDistillCli.EXIT_USAGE;
    }

    private static boolean verboseRequested(String[] args) {
        for (String a : args) if (DetrDistillCli.VERBOSE.equals(a)) return true;
        return false;
    }
}
