package org.detrdistill.examples.bench;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A SameDiff listener that counts executed ops and charges each op's thread CPU time and wall time to its op type
 * ({@code opName()}: {@code mmul}, {@code conv2d_bp}, {@code softmax}, ...). It measures from
 * {@code preOpExecution} to {@code opExecution}, which covers output allocation, shape calculation and the native
 * kernel; what happens between two ops (the executor's bookkeeping: dependency tracking, op parameterisation, array
 * lookups) is not charged to any op, so {@code total step time − Σ op time} is the framework overhead plus the Java
 * work outside the graph.
 *
 * <p>Add it with {@code sd.addListeners(profiler)}: SameDiff hands a graph's listeners to its gradient function, so
 * {@code output()} and {@code calculateGradientsAndOutputs()} are both profiled. The timing calls cost about a
 * microsecond per op, so profile in separate runs from the timed ones. Single-threaded use only.
 */
public final class OpProfiler extends BaseListener {
    /** Accumulated cost of one op type. */
    public static final class OpStats {
        private final String type;
        private long count;
        private long cpuNanos;
        private long wallNanos;

        private OpStats(String type) { this.type = type; }

        public String type() { return type; }

        /** Executions. */
        public long count() { return count; }

        /** Thread CPU time, nanoseconds. */
        public long cpuNanos() { return cpuNanos; }

        /** Wall time, nanoseconds. */
        public long wallNanos() { return wallNanos; }
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<String, OpStats> stats = new HashMap<>();
    private long startCpu;
    private long startWall;

    @Override public boolean isActive(Operation operation) { return true; }

    @Override public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        startWall = System.nanoTime();
        startCpu = threads.getCurrentThreadCpuTime();
    }

    @Override public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                                      INDArray[] outputs) {
        long cpu = threads.getCurrentThreadCpuTime() - startCpu, wall = System.nanoTime() - startWall;
        OpStats s = stats.computeIfAbsent(op.getOp().opName(), OpStats::new);
        s.count++;
        s.cpuNanos += cpu;
        s.wallNanos += wall;
    }

    /** Forgets everything recorded so far. */
    public void reset() { stats.clear(); }

    /** Executed ops since the last reset. */
    public long opCount() { return stats.values().stream().mapToLong(OpStats::count).sum(); }

    /** Thread CPU time charged to ops since the last reset, nanoseconds. */
    public long cpuNanos() { return stats.values().stream().mapToLong(OpStats::cpuNanos).sum(); }

    /** The op types, most CPU time first. */
    public List<OpStats> byCpu() {
        List<OpStats> list = new ArrayList<>(stats.values());
        list.sort(Comparator.comparingLong(OpStats::cpuNanos).reversed());
        return list;
    }

    /**
     * A markdown table of the {@code top} most expensive op types, per profiled run (all figures divided by
     * {@code runs}), with a closing row for the rest.
     */
    public String table(int top, int runs) {
        StringBuilder b = new StringBuilder("| op type | ops/run | CPU ms/run | share of op CPU | µs/op |\n|---|---:|---:|---:|---:|\n");
        double total = cpuNanos();
        List<OpStats> list = byCpu();
        long restCount = 0, restCpu = 0;
        for (int i = 0; i < list.size(); i++) {
            OpStats s = list.get(i);
            if (i < top) {
                b.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.1f%% | %.1f |%n", s.type, (double) s.count / runs,
                        s.cpuNanos / 1e6 / runs, 100 * s.cpuNanos / total, s.cpuNanos / 1e3 / s.count));
            } else {
                restCount += s.count;
                restCpu += s.cpuNanos;
            }
        }
        if (restCount > 0) {
            b.append(String.format(Locale.ROOT, "| %d other types | %.0f | %.2f | %.1f%% | %.1f |%n", list.size() - top,
                    (double) restCount / runs, restCpu / 1e6 / runs, 100 * restCpu / total, restCpu / 1e3 / restCount));
        }
        return b.toString();
    }
}
