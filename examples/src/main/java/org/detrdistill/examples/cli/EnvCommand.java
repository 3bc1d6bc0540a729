package org.detrdistill.examples.cli;

import org.bytedeco.javacpp.Pointer;
import org.detrdistill.core.runtime.NativeRuntime;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code detr-distill env} (alias {@code doctor}): a quick check of an install. Loads the ND4J native backend through
 * {@link NativeRuntime#prepare()} and prints, one fact per line: the framework version, the backend line, the Java
 * runtime, the OS, the cores, the memory limits (heap, JavaCPP's off-heap {@code maxbytes} and
 * {@code maxphysicalbytes}, physical RAM) and the thread setting. Exit code 0 when the backend loads; when it does
 * not, the error line says why (exit code 1).
 */
@Command(name = "env", aliases = "doctor", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        sortOptions = false,
        description = "Show the ND4J backend, Java, cores, memory and threads in use (checks the install).")
public final class EnvCommand implements Callable<Integer>, UsesNd4j {
    private static final double GIB = 1024.0 * 1024 * 1024;

    @Spec
    private CommandSpec spec;

    private String runtime;

    /** Keeps the description for the report (stdout) instead of logging it to stderr. */
    @Override
    public void runtimeReady(String description, PrintWriter err) {
        runtime = description;
    }

    /** Prints the report; exit code 0. */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String omp = System.getenv("OMP_NUM_THREADS");
        Runtime rt = Runtime.getRuntime();
        row(out, "detr-distill", CliVersion.version());
        row(out, "backend", runtime != null ? runtime : NativeRuntime.prepare());
        row(out, "data type", Nd4j.dataType().toString());
        row(out, "java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home"));
        row(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        row(out, "cores", rt.availableProcessors() + " available to the JVM");
        row(out, "memory", String.format(Locale.ROOT,
                "heap max %s, off-heap max %s (javacpp maxbytes), process max %s (maxphysicalbytes), RAM %s",
                gib(rt.maxMemory()), gib(Pointer.maxBytes()), gib(Pointer.maxPhysicalBytes()),
                gib(Pointer.totalPhysicalBytes())));
        row(out, "threads", "OMP_NUM_THREADS=" + (omp == null ? "(unset)" : omp) + ", ND4J uses "
                + Nd4j.getEnvironment().maxThreads() + " OpenMP thread(s)"
                + (omp == null ? " (-D" + NativeRuntime.THREADS_PROPERTY + " or the default "
                + NativeRuntime.DEFAULT_THREADS + ")" : ""));
        out.flush();
        return DetrDistillCli.EXIT_OK;
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf(Locale.ROOT, "%-13s %s%n", key + ":", value);
    }

    private static String gib(long bytes) {
        return bytes <= 0 ? "unlimited" : String.format(Locale.ROOT, "%.1f GiB", bytes / GIB);
    }
}
