package org.detrdistill.examples.bench;

import org.detrdistill.datasets.eval.CocoDetections;
import org.detrdistill.datasets.eval.CocoEvaluation;
import org.detrdistill.datasets.eval.CocoEvaluator;
import org.detrdistill.datasets.eval.CocoGroundTruth;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the COCO bbox evaluator end to end on synthetic data: read the ground truth, read the results, evaluate
 * (per-image matching + accumulation) and summarize (12 stats + table), single-threaded.
 *
 * <p>Usage: {@code CocoEvalBenchmark [dir] [images] [runs] [warmups]} (defaults {@code target/coco-eval-bench 5000 5 2}).
 * It writes {@code gt.json} (about 7 objects per image, 10 categories, a few crowd regions) and {@code dt.json}
 * (100 detections per image) into {@code dir} unless they exist, runs {@code warmups} untimed passes, then reports the
 * median and minimum of {@code runs} timed passes per phase (wall time), and of the CPU time of the evaluating thread
 * and of the whole JVM; on a shared machine the CPU times are the comparable numbers. The 12 stats of the last pass
 * are written to {@code dir/stats_java.json}. The same two files can be given to pycocotools for
 * comparison (see datasets/README.md).
 */
public final class CocoEvalBenchmark {
    private static final int DETS_PER_IMAGE = 100;

    private CocoEvalBenchmark() {}

    /** CPU time of the whole JVM process in ns, or -1 where the platform bean does not report it. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/coco-eval-bench");
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int warmups = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Path gtFile = dir.resolve("gt.json"), dtFile = dir.resolve("dt.json");
        if (!Files.exists(gtFile) || !Files.exists(dtFile)) {
            long t0 = System.nanoTime();
            int[] counts = SyntheticEvalData.write(dir, images, DETS_PER_IMAGE, 20240601L);
            System.out.printf(Locale.ROOT, "wrote %s: %d images, %d annotations, %d detections (%.1f s)%n",
                    dir, images, counts[0], counts[1], (System.nanoTime() - t0) / 1e9);
        } else {
            System.out.println("using existing " + gtFile + " and " + dtFile);
        }
        System.out.printf(Locale.ROOT, "files: gt.json %.1f MB, dt.json %.1f MB%n",
                Files.size(gtFile) / 1e6, Files.size(dtFile) / 1e6);

        CocoEvaluator evaluator = new CocoEvaluator();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] phases = new double[5][runs]; // wall time: load gt, load dt, evaluate, summarize, total
        double[] cpu = new double[runs];         // CPU time of this thread, total
        double[] processCpu = new double[runs];  // CPU time of the whole JVM (GC and JIT threads included), total
        CocoEvaluation last = null;
        for (int i = -warmups; i < runs; i++) {
            long p0 = processCpuNanos();
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            CocoGroundTruth gt = CocoGroundTruth.read(gtFile);
            long t1 = System.nanoTime();
            CocoDetections dt = CocoDetections.read(dtFile, gt);
            long t2 = System.nanoTime();
            CocoEvaluation ev = evaluator.evaluate(gt, dt);
            long t3 = System.nanoTime();
            String table = ev.summary();
            double ap = ev.stats().ap();
            long t4 = System.nanoTime();
            long c1 = threads.getCurrentThreadCpuTime();
            long p1 = processCpuNanos();
            if (table.isEmpty() || Double.isNaN(ap)) throw new IllegalStateException("empty summary");
            if (i >= 0) {
                long[] t = {t0, t1, t2, t3, t4};
                for (int p = 0; p < 4; p++) phases[p][i] = (t[p + 1] - t[p]) / 1e9;
                phases[4][i] = (t4 - t0) / 1e9;
                cpu[i] = (c1 - c0) / 1e9;
                processCpu[i] = (p1 - p0) / 1e9;
            }
            last = ev;
        }
        System.out.print(last.summary());
        System.out.printf(Locale.ROOT, "%d images, %d GT annotations, %d detections; %d warm-up + %d timed runs, 1 thread%n",
                last.imageCount(), last.groundTruthAnnotations(), last.detections(), warmups, runs);
        String[] names = {"load gt", "load results", "evaluate+accumulate", "summarize", "total"};
        for (int p = 0; p < 5; p++) {
            double[] v = phases[p].clone();
            Arrays.sort(v);
            System.out.printf(Locale.ROOT, "%-20s median %8.3f s   min %8.3f s   (wall)%n", names[p], v[v.length / 2], v[0]);
        }
        double[] c = cpu.clone();
        Arrays.sort(c);
        System.out.printf(Locale.ROOT, "%-20s median %8.3f s   min %8.3f s   (CPU, evaluating thread)%n",
                "total", c[c.length / 2], c[0]);
        double[] pc = processCpu.clone();
        Arrays.sort(pc);
        System.out.printf(Locale.ROOT, "%-20s median %8.3f s   min %8.3f s   (CPU, whole JVM incl. GC and JIT)%n",
                "total", pc[pc.length / 2], pc[0]);
        Files.writeString(dir.resolve("stats_java.json"), last.stats().toJson());
        System.out.println("stats written to " + dir.resolve("stats_java.json"));
    }
}
