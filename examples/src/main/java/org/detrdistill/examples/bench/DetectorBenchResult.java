package org.detrdistill.examples.bench;

import org.detrdistill.core.model.Variant;

import java.util.Objects;

/**
 * What {@link DetectorBenchmark} measured for one variant, or why it skipped it. Times are medians over the timed calls,
 * in milliseconds.
 *
 * @param variant      the detector
 * @param skipped      why the variant was not measured (e.g. not registered in this build), or null
 * @param parameters   trainable parameter elements (graph VARIABLEs; the frozen stem and layer1 are constants)
 * @param graphOps     ops in the detector's graph (before the criterion is attached)
 * @param opsPerForward ops executed by one {@code DetectorGraph.forward}, -1 without profiling
 * @param opsPerStep   ops executed by one training step (forward/backward, plus the matching forward with the stock
 *                     executor), -1 without profiling
 * @param buildSeconds graph construction, seconds
 * @param firstStepSeconds the first training step, seconds (includes building the gradient graph)
 * @param forward      {@code DetectorGraph.forward} (all outputs)
 * @param step         one full training step, the sum of the three parts below
 * @param feeds        part 1: {@code DetectorGraph.feeds} (masks and positional encodings in Java)
 * @param matching     part 2: Hungarian matching and target encoding in Java (between the forward and the backward
 *                     pass)
 * @param gradientStep part 3: {@code GradientStep.run} without part 2: forward + backward (with the stock executor
 *                     also the separate forward pass for the matching), non-finite guard, clipping, AdamW
 * @param firstLoss    total loss of the first timed step
 * @param lastLoss     total loss of the last timed step (the same batch every step, so it should fall)
 * @param peakRssMib   peak resident set size while measuring this variant (VmHWM after a reset; -1 if unknown)
 * @param profile      markdown table of the op types of one training step by CPU time, or null
 * @param profileNote  one line: executed ops and how much of the step's thread CPU the ops account for, or null
 */
public record DetectorBenchResult(Variant variant, String skipped, long parameters, int graphOps, double opsPerForward,
                                  double opsPerStep, double buildSeconds, double firstStepSeconds, Timing forward,
                                  Timing step, Timing feeds, Timing matching, Timing gradientStep,
                                  double firstLoss, double lastLoss, double peakRssMib, String profile, String profileNote) {

    /**
     * Median times of one measurement, milliseconds.
     *
     * @param threadCpuMs  CPU time of the calling thread (the primary figure)
     * @param processCpuMs CPU time of the whole process (all threads: GC, JIT, ND4J helpers)
     * @param wallMs       wall time
     */
    public record Timing(double threadCpuMs, double processCpuMs, double wallMs) {
        /** The medians of {@code clocks}. */
        public static Timing of(Clocks clocks) {
            return new Timing(clocks.threadCpuMs(), clocks.processCpuMs(), clocks.wallMs());
        }
    }

    public DetectorBenchResult {
        Objects.requireNonNull(variant, "variant");
    }

    /** A variant that was not measured, and why. */
    public static DetectorBenchResult skipped(Variant variant, String reason) {
        return new DetectorBenchResult(variant, Objects.requireNonNull(reason, "reason"), 0, 0, -1, -1, 0, 0, null, null,
                null, null, null, Double.NaN, Double.NaN, -1, null, null);
    }

    /** Whether the variant was measured. */
    public boolean measured() { return skipped == null; }
}
