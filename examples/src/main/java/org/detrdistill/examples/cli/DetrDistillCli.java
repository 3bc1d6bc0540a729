package org.detrdistill.examples.cli;

import org.detrdistill.core.internal.dl4j.GradientLogFilter;
import org.detrdistill.core.runtime.NativeRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code detr-distill} command line: the top command, its subcommands and the process entry point.
 *
 * <pre>
 * detr-distill [--verbose] [-hV] COMMAND [OPTIONS]
 *   synth    generate the synthetic COCO dataset
 *   train    train a detector on a COCO dataset (checkpoints, metrics, curves)
 *   distill  train a student detector with knowledge distillation from teachers
 *   eval     COCO bbox evaluation of a results file, or of a trained detector on a dataset
 *   predict  run a trained detector on images (results.json and drawn PNGs)
 *   demo     synthetic data, a teacher and three students (no KD, DETRDistill, Teach-DETR), AP table, drawings
 *   import-onnx  import a teacher exported to ONNX (summary, verification, teacher file for distillation)
 *   config   print (and check) a detector configuration as JSON
 *   env      show the ND4J backend, Java, cores, memory and threads in use
 * </pre>
 *
 * <p>Exit codes: {@value #EXIT_OK} success, {@value #EXIT_FAILURE} failure while running, {@value #EXIT_USAGE} bad
 * usage or bad input (unknown option or name, malformed or missing file). Errors are one line on stderr, prefixed
 * {@code detr-distill: error:}; {@code --verbose} adds the stack trace and raises the log level to INFO.
 *
 * <p>Only commands implementing {@link UsesNd4j} load ND4J; for them {@link NativeRuntime#prepare()} runs after the
 * arguments are parsed and before the command, and its one-line description goes to stderr. The others
 * ({@code synth}, {@code eval} of files, {@code config}) never touch ND4J and start in well under a second.
 *
 * <p>Use {@link #commandLine()} to run commands in-process (tests, other tools): it is configured exactly as
 * {@link #main(String[])} runs it, but never calls {@link System#exit(int)}.
 */
@Command(name = "detr-distill", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        sortOptions = false,
        description = "Train, distill and evaluate DETR-family object detectors on Deeplearning4j.",
        subcommands = {SynthCommand.class, TrainCommand.class, DistillCommand.class, EvalCommand.class, PredictCommand.class,
                DemoCommand.class, ImportOnnxCommand.class, ConfigCommand.class, EnvCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 bad usage or input.",
                "Environment: DETR_DISTILL_XMX (heap, default 4g), OMP_NUM_THREADS (default 1), JAVA_OPTS."})
public final class DetrDistillCli implements Callable<Integer> {
    /** Exit code of a successful run. */
    public static final int EXIT_OK = CommandLine.ExitCode.OK;
    /** Exit code of a failure while running (I/O error, bug). */
    public static final int EXIT_FAILURE = CommandLine.ExitCode.SOFTWARE;
    /** Exit code of bad usage or bad input (unknown option or name, malformed or missing file). */
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    /** The long name of the option that turns on stack traces and INFO logging. */
    static final String VERBOSE = "--verbose";
    /** slf4j-simple's default level, {@code warn} from {@code simplelogger.properties}; {@code --verbose} sets info. */
    private static final String SLF4J_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    @Spec
    private CommandSpec spec;

    @Option(names = VERBOSE, scope = ScopeType.INHERIT,
            description = "Print stack traces of errors and INFO log lines (ND4J start-up, progress).")
    private boolean verbose;

    /** Without a subcommand: prints the usage to stderr and returns {@value #EXIT_USAGE}. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    /**
     * A command line configured as the launcher runs it: error handlers ({@link CliErrors}), and the execution
     * strategy that prepares the native runtime for {@link UsesNd4j} commands. Set its out/err writers to capture
     * output; {@code execute(args)} returns the exit code.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new DetrDistillCli());
        cl.setExecutionStrategy(DetrDistillCli::executeWithRuntime);
        cl.setParameterExceptionHandler(CliErrors::handleParameterException);
        cl.setExecutionExceptionHandler(CliErrors::handleExecutionException);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** Entry point of {@code bin/detr-distill}: runs the command and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Whether {@code --verbose} was given anywhere on the command line (before or after the subcommand). */
    static boolean isVerbose(ParseResult parseResult) {
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption(VERBOSE)) return true;
        }
        return false;
    }

    private static int executeWithRuntime(ParseResult parseResult) {
        boolean verbose = isVerbose(parseResult);
        if (verbose && System.getProperty(SLF4J_LEVEL) == null) {
            // read by slf4j-simple when the first logger is created, i.e. after this point (ND4J creates them)
            System.setProperty(SLF4J_LEVEL, "info");
        }
        List<CommandLine> chain = parseResult.asCommandLineList();
        CommandLine last = chain.get(chain.size() - 1);
        boolean helpOnly = chain.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested());
        if (!helpOnly && last.getCommand() instanceof UsesNd4j command && command.needsNd4j()) {
            try {
                command.runtimeReady(NativeRuntime.prepare(), last.getErr());
                GradientLogFilter.install();    // SameDiff prints a line per op to stdout when it builds gradients
            } catch (IllegalArgumentException e) {          // a bad setting, e.g. OMP_NUM_THREADS=abc: exit code 2
                return CliErrors.report(e, last, verbose);
            } catch (RuntimeException | LinkageError e) {
                return CliErrors.report(new IllegalStateException(
                        "cannot start the ND4J native runtime: " + CliErrors.describe(e), e), last, verbose);
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }
}
