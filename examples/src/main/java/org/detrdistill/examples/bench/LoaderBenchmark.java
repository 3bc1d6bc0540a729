package org.detrdistill.examples.bench;

import org.bytedeco.opencv.global.opencv_core;
import org.datavec.image.loader.NativeImageLoader;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.coco.CocoReadOptions;
import org.detrdistill.datasets.image.DecodedImage;
import org.detrdistill.datasets.image.DetectionSample;
import org.detrdistill.datasets.image.DetectionTransform;
import org.detrdistill.datasets.image.DetrTransforms;
import org.detrdistill.datasets.image.ImageTensors;
import org.detrdistill.datasets.image.Normalization;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Loader throughput on a generated COCO-style JPEG dataset (see {@link SyntheticJpegDataset}): images/s of
 * {@link CocoDetectionIterator} with the DETR training recipe scaled to a demo resolution, for several worker counts,
 * plus a single-thread cost breakdown per image (decode, transform, float conversion; and DataVec's
 * {@code NativeImageLoader.asMatrix(File)} at full resolution for comparison). The consumer does nothing with the
 * batches, so this is the loader's ceiling.
 *
 * <p>Options ({@code --name=value}): {@code images} (200), {@code short} shortest side (192), {@code max} longest
 * side (320), {@code batch} (4), {@code workers} comma list (1,2), {@code epochs} timed epochs (2, after one warm-up
 * epoch), {@code recipe} train|eval (train), {@code dir} dataset directory (a temp dir, deleted afterwards).
 */
public final class LoaderBenchmark {
    private LoaderBenchmark() { }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = new HashMap<>(Map.of("images", "200", "short", "192", "max", "320", "batch", "4",
                "workers", "1,2", "epochs", "2", "recipe", "train"));
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + a + "; names: " + opt.keySet() + ", dir");
            }
            String key = a.substring(2, a.indexOf('='));
            if (!opt.containsKey(key) && !key.equals("dir")) {
                throw new IllegalArgumentException("unknown option " + key + "; valid: " + opt.keySet() + ", dir");
            }
            opt.put(key, a.substring(a.indexOf('=') + 1));
        }
        int images = Integer.parseInt(opt.get("images")), shortSide = Integer.parseInt(opt.get("short"));
        int maxSize = Integer.parseInt(opt.get("max")), batch = Integer.parseInt(opt.get("batch"));
        int epochs = Integer.parseInt(opt.get("epochs"));
        boolean train = opt.get("recipe").equals("train");
        DetectionTransform transform = train ? DetrTransforms.train(shortSide, maxSize)
                : DetrTransforms.eval(shortSide, maxSize);

        boolean temp = !opt.containsKey("dir");
        Path dir = temp ? Files.createTempDirectory("loader-bench") : Path.of(opt.get("dir"));
        try {
            long t0 = System.nanoTime();
            Path json = Files.exists(dir.resolve("instances.json")) ? dir.resolve("instances.json")
                    : SyntheticJpegDataset.write(dir, images, 1);
            CocoDataset ds = CocoInstancesReader.read(json, CocoReadOptions.builder().imageRoot(dir.resolve("images")).build());
            System.out.printf(Locale.ROOT, "dataset: %d JPEGs (%.0f KB avg) in %s, written+read in %.1f s%n", ds.size(),
                    averageKb(dir.resolve("images")), dir, (System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "recipe: %s, shortest side %d, max %d, batch %d, cores %d, JVM %s%n",
                    opt.get("recipe"), shortSide, maxSize, batch, Runtime.getRuntime().availableProcessors(),
                    Runtime.version());
            breakdown(ds, transform);
            for (String w : opt.get("workers").split(",")) {
                throughput(ds, transform, batch, Integer.parseInt(w.trim()), epochs);
            }
        } finally {
            if (temp) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void throughput(CocoDataset ds, DetectionTransform transform, int batch, int workers, int epochs) {
        LoaderConfig cfg = LoaderConfig.builder().batchSize(batch).workers(workers).prefetchBatches(Math.max(2, 2 * workers))
                .seed(1).build();
        try (CocoDetectionIterator it = CocoDetectionIterator.builder(ds).config(cfg).transform(transform).build()) {
            drain(it);   // warm-up epoch (JIT, native libraries, page cache)
            long pixels = 0, count = 0;
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            for (int e = 0; e < epochs; e++) {
                it.reset();
                while (it.hasNext()) {
                    DetectionBatch b = it.next();
                    pixels += b.images().length() / 3;
                    count += b.size();
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cpuMs = (processCpuNanos() - cpu0) / 1e6 / count;
            System.out.printf(Locale.ROOT, "iterator workers=%d: %.1f images/s (%d images in %.2f s; process CPU %.2f ms/image;"
                    + " mean padded batch %.0f px/image)%n", workers, count / s, count, s, cpuMs, (double) pixels / count);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void drain(CocoDetectionIterator it) {
        while (it.hasNext()) {
            it.next();
        }
    }

    /**
     * Single-thread cost per image of each stage, as thread CPU time (robust to other load on the machine), averaged
     * over the dataset after one warm-up pass. OpenCV's own thread pool is set to 1 thread meanwhile so that all work
     * is on the measured thread.
     */
    private static void breakdown(CocoDataset ds, DetectionTransform transform) throws IOException {
        Path root = ds.imageRoot().orElseThrow();
        java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
        int cvThreads = opencv_core.getNumThreads();
        opencv_core.setNumThreads(1);
        double[] ms = new double[5];
        long outPixels = 0, wall = 0;
        for (int pass = 0; pass < 2; pass++) {
            ms = new double[5];
            outPixels = 0;
            wall = System.nanoTime();
            for (int i = 0; i < ds.size(); i++) {
                Path file = root.resolve(ds.image(i).fileName());
                long a = tmx.getCurrentThreadCpuTime();
                DecodedImage img = DecodedImage.read(file);
                long b = tmx.getCurrentThreadCpuTime();
                DetectionSample s = transform.apply(new DetectionSample(ds.image(i).id(), img,
                        ds.annotations(i).nonCrowdBoxesXyxy(), ds.annotations(i).nonCrowdLabels(), img.width(),
                        img.height()), new SplittableRandom(i));
                long c = tmx.getCurrentThreadCpuTime();
                DecodedImage out = s.image();
                float[] dst = new float[3 * out.width() * out.height()];
                ImageTensors.writeChw(out, Normalization.IMAGENET, dst, 0, out.width() * out.height(), out.width());
                long d = tmx.getCurrentThreadCpuTime();
                ImageTensors.toTensor(out, Normalization.IMAGENET);
                long e = tmx.getCurrentThreadCpuTime();
                new NativeImageLoader().asMatrix(file.toFile());
                long f = tmx.getCurrentThreadCpuTime();
                outPixels += (long) out.width() * out.height();
                out.close();
                ms[0] += (b - a) / 1e6;
                ms[1] += (c - b) / 1e6;
                ms[2] += (d - c) / 1e6;
                ms[3] += (e - d) / 1e6;
                ms[4] += (f - e) / 1e6;
            }
            wall = System.nanoTime() - wall;
        }
        opencv_core.setNumThreads(cvThreads);
        int n = ds.size();
        double cpu = java.util.Arrays.stream(ms).sum() / n;
        System.out.printf(Locale.ROOT, "per image, 1 thread, CPU time: decode %.2f ms, transform %.2f ms, to float direct"
                        + " %.2f ms (via DataVec NativeImageLoader.asMatrix(Mat) + ND4J ops %.2f ms); output %.0f px/image%n",
                ms[0] / n, ms[1] / n, ms[2] / n, ms[3] / n, (double) outPixels / n);
        System.out.printf(Locale.ROOT, "for comparison: NativeImageLoader.asMatrix(File) (decode to float at full"
                + " resolution, before any resize) %.2f ms/image%n", ms[4] / n);
        System.out.printf(Locale.ROOT, "(breakdown pass: %.2f ms/image CPU in %.2f ms/image wall: the process got %.0f%%"
                + " of a core)%n", cpu, wall / 1e6 / n, 100.0 * cpu * n * 1e6 / wall);
    }

    private static double averageKb(Path dir) throws IOException {
        List<Long> sizes = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> sizes.add(p.toFile().length()));
        }
        return sizes.stream().mapToLong(Long::longValue).average().orElse(0) / 1024;
    }
}
