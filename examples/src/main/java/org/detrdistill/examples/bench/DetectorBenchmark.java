package org.detrdistill.examples.bench;

import org.detrdistill.core.internal.dl4j.FastExecution;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.runtime.NativeRuntime;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.GradientClipper;
import org.detrdistill.core.train.GradientStep;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.StagedFeeds;
import org.detrdistill.core.train.StepResult;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Speed of the detectors at one fixed tiny configuration ({@link TinyDetectorConfig}: tiny backbone, d 64, 4 heads,
 * 2+2 layers, FFN 128, 50 queries, 6 classes, canvas 128×128, batch 2), FLOAT. For each variant, after warm-up:
 * <ul>
 *   <li><b>forward</b>: {@code DetectorGraph.forward(images, mask)} (every output: final and per-stage logits, boxes,
 *       hidden states);</li>
 *   <li><b>training step</b>: exactly what {@code DetectorTrainer} does per step: {@code DetectionObjective.stagedFeeds}
 *       (geometry feeds) then {@code GradientStep.run} (forward, Hungarian matching and target encoding, backward,
 *       non-finite guard, gradient clipping at the variant's {@code clipMaxNorm}, AdamW with the variant's parameter
 *       groups and weight decay), timed in three parts;</li>
 *   <li>medians of thread CPU time (primary), process CPU time and wall time; peak RSS ({@code VmHWM}, reset before
 *       each variant); ops in the graph and ops executed per call; a per-op-type CPU profile of the training step
 *       ({@link OpProfiler}, in separate profiled calls).</li>
 * </ul>
 * Variants {@code Detectors} does not build yet are skipped with the reason. Prints markdown tables.
 *
 * <p>Options: {@code --variants=conditional_detr,deformable_detr,adamixer} {@code --iterations=30} {@code --warmup=50}
 * {@code --batch=2} {@code --canvas=128x128} {@code --profile=3} {@code --seed=42} (see {@link DetectorBenchOptions}).
 * Run with {@code OMP_NUM_THREADS=1} (see {@code examples/README.md}, "Benchmarks", for the command). The PyTorch
 * counterpart is {@code tools/bench/pytorch_reference.py}.
 */
public final class DetectorBenchmark {
    private static final int PROFILE_TOP = 12;

    private DetectorBenchmark() {}

    public static void main(String[] args) {
        // SameDiff warns once per SizeAt op when it builds the gradient graph (harmless: the op has no "dimensions" field)
        System.setProperty("org.slf4j.simpleLogger.log.org.nd4j.autodiff.functions.DifferentialFunction", "error");
        DetectorBenchOptions options;
        try {
            options = DetectorBenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("DetectorBenchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        String runtime = NativeRuntime.prepare();
        System.out.println("# Detector benchmark");
        System.out.println("runtime:  " + runtime);
        System.out.println("executor: " + FastExecution.describe() + (FastExecution.isInstalled()
                ? " (plan executor: cached schedules, pooled arrays, one forward pass per training step)"
                : " (stock SameDiff executor: a separate forward pass for the matching)"));
        System.out.println("java:     " + Runtime.version() + ", heap max " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        System.out.println("config:   " + TinyDetectorConfig.describe(options.batch(), options.height(), options.width()) + ", FLOAT");
        System.out.println("options:  " + options);
        System.out.println("load avg: " + loadAverage() + " (start)");

        List<DetectorBenchResult> results = new ArrayList<>();
        for (Variant v : options.variants()) {
            DetectorBenchResult r = measure(v, options);
            if (!r.measured()) System.out.println("skipped " + v.id() + ": " + r.skipped());
            results.add(r);
        }
        System.out.println("load avg: " + loadAverage() + " (end)");
        System.out.println();
        System.out.println("## Summary (medians, ms; thread CPU is the primary figure)");
        System.out.println();
        System.out.println("Peak RSS is VmHWM since a reset before the variant's graph was built: memory an earlier variant "
                + "kept counts too, so measure one variant per run for a clean figure.");
        System.out.println();
        System.out.print(BenchTables.summary(results));
        System.out.println();
        System.out.println("## Training step by part (thread CPU ms, wall ms in parentheses)");
        System.out.println();
        System.out.print(BenchTables.breakdown(results));
        for (DetectorBenchResult r : results) {
            if (r.profile() == null) continue;
            System.out.println();
            System.out.println("## Op profile of one training step: " + r.variant().id());
            System.out.println();
            System.out.println(r.profileNote());
            System.out.println();
            System.out.print(r.profile());
        }
    }

    /** Measures one variant (or says why not). */
    static DetectorBenchResult measure(Variant variant, DetectorBenchOptions o) {
        DetectorConfig config;
        try {
            config = TinyDetectorConfig.of(variant, o.height(), o.width());
        } catch (IllegalArgumentException e) {
            return DetectorBenchResult.skipped(variant, "configuration rejected: " + e.getMessage());
        }
        System.gc();
        ProcessMemory.resetPeak();
        long t0 = System.nanoTime();
        DetectorGraph det;
        try {
            det = Detectors.build(config, DataType.FLOAT, o.seed());
        } catch (UnsupportedOperationException e) {
            return DetectorBenchResult.skipped(variant, "not registered in this build (" + e.getMessage() + ")");
        }
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        SameDiff sd = det.sameDiff();
        int graphOps = sd.getOps().size();
        String graphTypes = opTypes(sd, 10);
        DetectionBatch batch = BenchBatch.create(o.batch(), o.height(), o.width(), config.numClasses(), o.seed());
        INDArray images = batch.images(), mask = batch.mask();

        Clocks forward = new Clocks(o.iterations());
        for (int i = 0; i < o.warmup(); i++) det.forward(images, mask);
        for (int i = 0; i < o.iterations(); i++) {
            Clocks.Reading start = Clocks.now();
            det.forward(images, mask);
            forward.record(start);
        }

        Trainer trainer = new Trainer(det);
        long parameters = trainer.optimizer.groups().trainableParameters(sd).stream()
                .mapToLong(n -> sd.getVariable(n).getArr().length()).sum();
        t0 = System.nanoTime();
        quietly(() -> trainer.step(batch, null));
        double firstStepSeconds = (System.nanoTime() - t0) / 1e9;
        for (int i = 1; i < o.warmup(); i++) trainer.step(batch, null);
        StepClocks clocks = new StepClocks(o.iterations());
        double firstLoss = Double.NaN, lastLoss = Double.NaN;
        for (int i = 0; i < o.iterations(); i++) {
            double loss = trainer.step(batch, clocks);
            if (i == 0) firstLoss = loss;
            lastLoss = loss;
        }

        double opsPerForward = -1, opsPerStep = -1;
        String profile = null, note = null;
        if (o.profile() > 0) {
            OpProfiler profiler = new OpProfiler();
            sd.addListeners(profiler);
            Clocks profiledForward = new Clocks(o.profile());
            for (int i = 0; i < o.profile(); i++) {
                Clocks.Reading start = Clocks.now();
                det.forward(images, mask);
                profiledForward.record(start);
            }
            opsPerForward = (double) profiler.opCount() / o.profile();
            double forwardOpCpu = profiler.cpuNanos() / 1e6 / o.profile(), forwardCpu = profiledForward.threadCpuMs();
            String forwardNote = String.format(Locale.ROOT, "forward: %.0f ops; profiled forward %.1f ms thread CPU, of "
                    + "which %.1f ms (%.0f%%) inside ops", opsPerForward, forwardCpu, forwardOpCpu, 100 * forwardOpCpu / forwardCpu);
            profiler.reset();
            StepClocks profiled = new StepClocks(o.profile());
            for (int i = 0; i < o.profile(); i++) trainer.step(batch, profiled);
            opsPerStep = (double) profiler.opCount() / o.profile();
            double opCpu = profiler.cpuNanos() / 1e6 / o.profile(), stepCpu = profiled.step.threadCpuMs();
            note = String.format(Locale.ROOT, "training step: %.0f ops (%d op types); profiled step %.1f ms thread CPU, of which "
                            + "%.1f ms (%.0f%%) inside ops and %.1f ms between ops / in Java (executor, matching, "
                            + "feeds, AdamW)", opsPerStep, profiler.byCpu().size(), stepCpu, opCpu, 100 * opCpu / stepCpu,
                    stepCpu - opCpu) + "\n\n" + forwardNote + "\n\ndetector graph ops by type: " + graphTypes;
            profile = profiler.table(PROFILE_TOP, o.profile());
            sd.setListeners();
        }
        double peak = ProcessMemory.peakRssMib();
        return new DetectorBenchResult(variant, null, parameters, graphOps, opsPerForward, opsPerStep, buildSeconds,
                firstStepSeconds, DetectorBenchResult.Timing.of(forward), DetectorBenchResult.Timing.of(clocks.step),
                DetectorBenchResult.Timing.of(clocks.feeds), DetectorBenchResult.Timing.of(clocks.matching),
                DetectorBenchResult.Timing.of(clocks.gradientStep),
                firstLoss, lastLoss, peak, profile, note);
    }

    /** The clocks of the training step and of its three parts. */
    private static final class StepClocks {
        final Clocks step, feeds, matching, gradientStep;

        StepClocks(int n) {
            step = new Clocks(n);
            feeds = new Clocks(n);
            matching = new Clocks(n);
            gradientStep = new Clocks(n);
        }
    }

    /**
     * {@code DetectorTrainer}'s step, timed in parts: {@code DetectionObjective.stagedFeeds} (the detector's feeds; the
     * matching and target encoding wrapped to be timed where they run, between the forward and the backward pass), then
     * {@code GradientStep.run} with the optimizer, schedule and clipping {@code DetectorTrainer} builds from the
     * variant's {@code TrainerConfig}.
     */
    private static final class Trainer {
        final DetectorGraph det;
        final DetectionObjective objective;
        final AdamW optimizer;
        final GradientStep gradientStep;
        final List<String> outputs = new ArrayList<>();
        long step;

        Trainer(DetectorGraph det) {
            this.det = det;
            this.objective = new DetectionObjective(det);
            TrainerConfig config = TrainerConfig.builder(det.config().variant()).build();
            this.optimizer = new AdamW(AdamWConfig.builder().weightDecay(config.weightDecay()).build(),
                    ParamGroups.forVariant(det.config().variant()));
            this.gradientStep = new GradientStep(optimizer, config.schedule(1_000_000), new GradientClipper(config.clipMaxNorm()));
            outputs.addAll(objective.termNames());
            outputs.addAll(objective.weightedNames());
        }

        /** One step; returns the total loss. Times its parts into {@code clocks} unless null. */
        double step(DetectionBatch batch, StepClocks clocks) {
            Clocks.Reading a = Clocks.now();
            StagedFeeds feeds = objective.stagedFeeds(batch, step);
            Clocks.Reading b = Clocks.now();
            Clocks.Reading[] match = new Clocks.Reading[2];
            StagedFeeds timed = new StagedFeeds(feeds.known(), feeds.forwardOutputs(), predictions -> {
                match[0] = Clocks.now();
                Map<String, INDArray> targets = feeds.fromForward().apply(predictions);
                match[1] = Clocks.now();
                return targets;
            });
            StepResult r = gradientStep.run(det.sameDiff(), timed, outputs, step++);
            Clocks.Reading e = Clocks.now();
            if (clocks != null) {
                clocks.feeds.record(a, b);
                clocks.matching.record(match[0], match[1]);
                clocks.gradientStep.recordExcluding(b, e, match[0], match[1]);
                clocks.step.record(a, e);
            }
            double total = 0;
            for (String n : objective.weightedNames()) total += r.output(n);
            return total;
        }
    }

    /**
     * Runs {@code action} with {@code System.out} muted: SameDiff prints one "Added differentiated op" line per op to
     * stdout when it builds the gradient graph (first training step), which would bury the tables.
     */
    private static void quietly(Runnable action) {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            action.run();
        } finally {
            System.setOut(out);
        }
    }

    /** The {@code top} most frequent op types of the graph with their counts, e.g. {@code reshape 306, cast 189, ...}. */
    private static String opTypes(SameDiff sd, int top) {
        Map<String, Integer> counts = new java.util.HashMap<>();
        sd.getOps().values().forEach(op -> counts.merge(op.getOp().opName(), 1, Integer::sum));
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", "))
                + (counts.size() > top ? ", ..." : "");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min), " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
