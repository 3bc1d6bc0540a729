package org.detrdistill.core.runtime;

import org.bytedeco.javacpp.Loader;
import org.detrdistill.core.internal.dl4j.FastExecution;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prepares and describes the ND4J native runtime: which backend and native build run, and with how many threads.
 *
 * <p>Call {@link #prepare()} first thing in a {@code main}, before anything touches {@link Nd4j}:
 * <ul>
 *   <li><b>Native build.</b> The CPU profile ships the {@code linux-x86_64-onednn-avx2} build and, as a fallback, the
 *   plain {@code linux-x86_64} build. JavaCPP loads the oneDNN/AVX2 one when both are present. On a CPU without AVX2,
 *   {@code prepare()} sets {@code org.bytedeco.javacpp.platform.extension} to the empty string, which selects the
 *   plain build. An explicit {@code -Dorg.bytedeco.javacpp.platform.extension=...} always wins.</li>
 *   <li><b>Threads.</b> On 2 cores, one OpenMP thread was measured about 2x faster than two for the small models this
 *   framework trains on CPU. The native library reads {@code OMP_NUM_THREADS} when it loads; when that variable is not
 *   set, {@code prepare()} applies {@code -Ddetr.threads=N} (default {@value #DEFAULT_THREADS}) through
 *   {@link Environment#setMaxThreads(int)}. Set {@code OMP_NUM_THREADS} or {@code -Ddetr.threads} to override.</li>
 *   <li><b>Executor.</b> It installs the plan executor for SameDiff graphs
 *   ({@link org.detrdistill.core.internal.dl4j.FastExecution}; {@code -Ddetr.executor=stock} keeps SameDiff's own).</li>
 * </ul>
 */
public final class NativeRuntime {
    /** Threads used when neither {@code OMP_NUM_THREADS} nor {@code -Ddetr.threads} is set. */
    public static final int DEFAULT_THREADS = 1;
    /** JavaCPP's property choosing the native build variant (e.g. {@code -onednn-avx2}; empty = plain build). */
    public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** System property overriding the thread count when {@code OMP_NUM_THREADS} is unset. */
    public static final String THREADS_PROPERTY = "detr.threads";

    private static final Pattern NATIVE_DIR = Pattern.compile("/(linux|macosx|windows)-[a-z0-9_]+(-[a-z0-9-]+)?/[^/]*nd4j[a-z]*\\.(so|dylib|dll)");

    private NativeRuntime() {}

    /**
     * Chooses the native build for this CPU and applies the thread setting. Idempotent.
     *
     * @return a one-line description of the runtime, see {@link #describe()}
     */
    public static synchronized String prepare() {
        if (System.getProperty(EXTENSION_PROPERTY) == null && cpuFlags().map(f -> !f.contains(" avx2")).orElse(false)) {
            System.setProperty(EXTENSION_PROPERTY, "");
        }
        int threads = threads(System.getenv("OMP_NUM_THREADS"), System.getProperty(THREADS_PROPERTY));
        Environment env = Nd4j.getEnvironment();
        if (System.getenv("OMP_NUM_THREADS") == null) {
            env.setMaxThreads(threads);
            env.setMaxMasterThreads(threads);
        }
        FastExecution.install();
        return describe();
    }

    /**
     * The effective thread count: {@code OMP_NUM_THREADS} if set, else the {@code detr.threads} property, else
     * {@value #DEFAULT_THREADS}.
     *
     * @throws IllegalArgumentException if the value in force is not a positive integer (names the variable)
     */
    static int threads(String ompEnv, String property) {
        String name = ompEnv != null ? "OMP_NUM_THREADS" : "-D" + THREADS_PROPERTY;
        String value = ompEnv != null ? ompEnv : property;
        if (value == null) return DEFAULT_THREADS;
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive integer, got '" + value + "'");
        }
    }

    /**
     * One line naming the backend, the native build that was loaded and the thread settings, e.g.
     * {@code ND4J CPU backend, native build linux-x86_64-onednn-avx2 [ONEDNN, OPENBLAS], 1 OpenMP thread(s), BLAS OPENBLAS, 2 cores}.
     */
    public static String describe() {
        Map<Object, Object> info = Nd4j.getExecutioner().getEnvironmentInformation();
        String build = Nd4j.getBackend().buildInfo();
        StringBuilder features = new StringBuilder();
        for (String f : new String[]{"ONEDNN", "OPENBLAS", "CUDNN", "ARMCOMPUTE", "VEDNN"}) {
            if (build.contains("HAVE_" + f)) features.append(features.length() == 0 ? "" : ", ").append(f);
        }
        return "ND4J " + info.getOrDefault("backend", "?") + " backend, native build " + nativeBuild().orElse("unknown")
                + " [" + features + "], " + Nd4j.getEnvironment().maxThreads() + " OpenMP thread(s), BLAS "
                + info.getOrDefault("blas.vendor", "?") + ", " + info.getOrDefault("cores", "?") + " cores";
    }

    /** The platform folder of the loaded ND4J native library, e.g. {@code linux-x86_64-onednn-avx2}. */
    public static Optional<String> nativeBuild() {
        for (String path : Loader.getLoadedLibraries().values()) {
            Optional<String> b = buildOf(path);
            if (b.isPresent()) return b;
        }
        return Optional.empty();
    }

    /** Extracts the platform folder from a loaded library path (package-private for tests). */
    static Optional<String> buildOf(String libraryPath) {
        if (libraryPath == null) return Optional.empty();
        Matcher m = NATIVE_DIR.matcher(libraryPath.replace('\\', '/'));
        if (!m.find()) return Optional.empty();
        String s = m.group();
        return Optional.of(s.substring(1, s.indexOf('/', 1)));
    }

    /** The CPU flags line of /proc/cpuinfo (Linux), with a leading space before each flag. */
    static Optional<String> cpuFlags() {
        Path p = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(p)) return Optional.empty();
        try (var lines = Files.lines(p)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> " " + l.substring(l.indexOf(':') + 1).trim().replaceAll("\\s+", " ") + " ");
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
