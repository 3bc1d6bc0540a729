package org.detrdistill.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The three clocks of the benchmarks, sampled together: the calling thread's CPU time (the primary figure: with
 * {@code OMP_NUM_THREADS=1} ND4J computes on the calling thread, and it is the figure least disturbed by other
 * processes on a shared machine), the whole process's CPU time (adds GC, JIT and ND4J's helper threads) and wall time.
 * {@link #record} collects one interval per call; the medians summarise a run. Single-threaded.
 */
public final class Clocks {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final java.lang.management.OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    private final long[] threadCpu;
    private final long[] processCpu;
    private final long[] wall;
    private int n;

    /** Room for {@code capacity} intervals. */
    public Clocks(int capacity) {
        threadCpu = new long[capacity];
        processCpu = new long[capacity];
        wall = new long[capacity];
    }

    /** A reading of the three clocks, nanoseconds. */
    public record Reading(long threadCpu, long processCpu, long wall) {}

    /** Reads the three clocks now. */
    public static Reading now() {
        return new Reading(THREADS.getCurrentThreadCpuTime(), processCpuNanos(), System.nanoTime());
    }

    /** Records the interval from {@code start} to now. */
    public void record(Reading start) {
        Reading end = now();
        record(start, end);
    }

    /** Records the interval from {@code start} to {@code end}. */
    public void record(Reading start, Reading end) {
        if (n == wall.length) throw new IllegalStateException("Clocks full: capacity " + wall.length);
        threadCpu[n] = end.threadCpu - start.threadCpu;
        processCpu[n] = end.processCpu - start.processCpu;
        wall[n] = end.wall - start.wall;
        n++;
    }

    /** Records the interval from {@code start} to {@code end} minus the inner interval {@code [innerStart, innerEnd]}. */
    public void recordExcluding(Reading start, Reading end, Reading innerStart, Reading innerEnd) {
        record(start, new Reading(end.threadCpu - (innerEnd.threadCpu - innerStart.threadCpu),
                end.processCpu - (innerEnd.processCpu - innerStart.processCpu), end.wall - (innerEnd.wall - innerStart.wall)));
    }

    /** Intervals recorded. */
    public int count() { return n; }

    /** Median thread CPU time, milliseconds. */
    public double threadCpuMs() { return median(threadCpu); }

    /** Median process CPU time, milliseconds (-1 if the JVM does not report it). */
    public double processCpuMs() { return processCpuNanos() < 0 ? -1 : median(processCpu); }

    /** Median wall time, milliseconds. */
    public double wallMs() { return median(wall); }

    /** Minimum wall time, milliseconds. */
    public double minWallMs() { return Arrays.stream(wall, 0, n).min().orElse(0) / 1e6; }

    private double median(long[] values) {
        if (n == 0) return Double.NaN;
        long[] s = Arrays.copyOf(values, n);
        Arrays.sort(s);
        return (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) / 1e6;
    }

    private static long processCpuNanos() {
        return OS instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
