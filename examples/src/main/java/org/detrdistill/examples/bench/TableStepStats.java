package org.detrdistill.examples.bench;

import org.detrdistill.core.train.EvalStats;
import org.detrdistill.core.train.StepMetrics;
import org.detrdistill.core.train.TrainingListener;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-step statistics of one table run, on the training thread: the thread CPU of each step, the weighted losses
 * summed per family ({@code det} for the detection loss, one family per distillation term: all of a term's stages,
 * levels or teachers), and a progress line every {@value #LOG_EVERY} steps.
 */
final class TableStepStats implements TrainingListener {
    static final int LOG_EVERY = 50;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final List<String> terms;
    private final PrintStream log;
    private final String what;
    private final long total;
    private final List<Long> stepCpu = new ArrayList<>();
    private final List<Map<String, Double>> families = new ArrayList<>();
    private long lastCpu = THREADS.getCurrentThreadCpuTime();
    private long steps;
    private Clocks.Reading epochEnd;
    private long evalThreadCpu, evalProcessCpu, evalWall;

    /**
     * @param terms the distillation terms of the run (their names prefix the loss names)
     * @param what  names the run in progress lines
     * @param total the budget in steps (for progress lines)
     */
    TableStepStats(List<String> terms, PrintStream log, String what, long total) {
        this.terms = List.copyOf(terms);
        this.log = log;
        this.what = what;
        this.total = total;
    }

    @Override
    public void onStepEnd(StepMetrics m) {
        long now = THREADS.getCurrentThreadCpuTime();
        stepCpu.add(now - lastCpu);
        lastCpu = now;
        steps++;
        Map<String, Double> f = new LinkedHashMap<>();
        m.weighted().forEach((name, v) -> f.merge(family(name), v, Double::sum));
        families.add(f);
        if ((m.step() + 1) % LOG_EVERY == 0 || m.step() + 1 == total) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %s: step %d/%d loss %.3f", what, m.step() + 1,
                    total, m.totalLoss()));
            f.forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.3f", k, v)));
            b.append(String.format(Locale.ROOT, " | %.0f ms CPU/step", medianStepCpuMs()));
            log.println(b);
        }
    }

    @Override
    public void onEpochEnd(int epoch, long step) {
        epochEnd = Clocks.now();
    }

    /** The trainer evaluates between {@code onEpochEnd} and {@code onEval}: that interval is evaluation time. */
    @Override
    public void onEval(EvalStats stats) {
        Clocks.Reading now = Clocks.now();
        if (epochEnd != null) {
            evalThreadCpu += now.threadCpu() - epochEnd.threadCpu();
            evalProcessCpu += now.processCpu() - epochEnd.processCpu();
            evalWall += now.wall() - epochEnd.wall();
        }
        lastCpu = now.threadCpu();
        log.printf(Locale.ROOT, "  %s: eval at step %d: AP %.1f AP50 %.1f%n", what, stats.step(),
                100 * stats.metrics().getOrDefault("AP", Double.NaN), 100 * stats.metrics().getOrDefault("AP50", Double.NaN));
    }

    /** Time spent in evaluations during training (thread CPU, process CPU, wall; nanoseconds). */
    Clocks.Reading evaluationTime() {
        return new Clocks.Reading(evalThreadCpu, evalProcessCpu, evalWall);
    }

    /** The family of a weighted loss name: the distillation term it starts with, else {@code det}. */
    String family(String lossName) {
        for (String t : terms) if (lossName.startsWith(t)) return t;
        return "det";
    }

    /** Steps seen. */
    long steps() { return steps; }

    /** Median thread CPU of a step after the first 5 (all steps if there are fewer), milliseconds. */
    double medianStepCpuMs() {
        List<Long> use = stepCpu.size() > 5 ? stepCpu.subList(5, stepCpu.size()) : stepCpu;
        if (use.isEmpty()) return Double.NaN;
        long[] s = use.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(s);
        int n = s.length;
        return (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) / 1e6;
    }

    /** Mean of each family over the first tenth of the steps (at least one step). */
    Map<String, Double> meansOfFirstTenth() {
        return means(0, Math.max(1, families.size() / 10));
    }

    /** Mean of each family over the last tenth of the steps (at least one step). */
    Map<String, Double> meansOfLastTenth() {
        return means(families.size() - Math.max(1, families.size() / 10), families.size());
    }

    private Map<String, Double> means(int from, int to) {
        Map<String, Double> sum = new LinkedHashMap<>();
        if (families.isEmpty()) return sum;
        from = Math.max(0, from);
        for (int i = from; i < to; i++) families.get(i).forEach((k, v) -> sum.merge(k, v, Double::sum));
        int n = to - from;
        sum.replaceAll((k, v) -> v / n);
        return sum;
    }
}
