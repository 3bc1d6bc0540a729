package org.detrdistill.examples.bench;

import org.detrdistill.examples.bench.DetectorBenchResult.Timing;

import java.util.List;
import java.util.Locale;

/**
 * Markdown tables of {@link DetectorBenchmark}'s results: the summary (one row per variant; skipped variants say why)
 * and the breakdown of a training step into its three parts. The column layout of the summary is the one
 * {@code tools/bench/pytorch_reference.py} prints, so the two can be put side by side.
 */
public final class BenchTables {
    private BenchTables() {}

    /**
     * The summary: parameters, graph and executed op counts, forward and training-step medians (thread CPU, process
     * CPU, wall, milliseconds), peak RSS (MiB).
     */
    public static String summary(List<DetectorBenchResult> results) {
        StringBuilder b = new StringBuilder();
        b.append("| variant | params | graph ops | ops/fwd | ops/step | fwd thread CPU | fwd process CPU | fwd wall "
                + "| step thread CPU | step process CPU | step wall | peak RSS MiB |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (DetectorBenchResult r : results) {
            if (!r.measured()) {
                b.append("| ").append(r.variant().id()).append(" | skipped: ").append(r.skipped().replace('|', '/'))
                        .append(" |||||||||||\n");
                continue;
            }
            Timing f = r.forward(), s = r.step();
            b.append(String.format(Locale.ROOT, "| %s | %,d | %d | %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |%n",
                    r.variant().id(), r.parameters(), r.graphOps(), count(r.opsPerForward()), count(r.opsPerStep()),
                    f.threadCpuMs(), f.processCpuMs(), f.wallMs(), s.threadCpuMs(), s.processCpuMs(), s.wallMs(),
                    r.peakRssMib()));
        }
        return b.toString();
    }

    /** The training step in three parts, thread CPU medians in milliseconds (wall in parentheses). */
    public static String breakdown(List<DetectorBenchResult> results) {
        StringBuilder b = new StringBuilder();
        b.append("| variant | feeds (Java) | match + encode (Java) | fwd+bwd+clip+AdamW | step | "
                + "first step s | loss first → last |\n");
        b.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (DetectorBenchResult r : results) {
            if (!r.measured()) continue;
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1f | %.3f → %.3f |%n", r.variant().id(),
                    cell(r.feeds()), cell(r.matching()), cell(r.gradientStep()), cell(r.step()),
                    r.firstStepSeconds(), r.firstLoss(), r.lastLoss()));
        }
        return b.toString();
    }

    private static String cell(Timing t) {
        return String.format(Locale.ROOT, "%.1f (%.1f)", t.threadCpuMs(), t.wallMs());
    }

    private static String count(double ops) {
        return ops < 0 ? "–" : String.format(Locale.ROOT, "%.0f", ops);
    }
}
