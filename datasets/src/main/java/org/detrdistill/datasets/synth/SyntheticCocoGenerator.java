package org.detrdistill.datasets.synth;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a synthetic COCO-format detection dataset:
 * <pre>
 * &lt;out&gt;/train/000000000001.jpg ...            (ids 1..numTrain)
 * &lt;out&gt;/val/000000000301.jpg ...              (ids numTrain+1..numTrain+numVal)
 * &lt;out&gt;/annotations/instances_train.json     (COCO instances format, annotation ids from 1)
 * &lt;out&gt;/annotations/instances_val.json
 * &lt;out&gt;/synthetic_coco.json                   (marker: generator, config, completion)
 * </pre>
 * Output is byte-identical for equal configs, whatever the number of threads: each image is rendered from its own
 * random stream (see {@link SyntheticSceneRenderer}) and the JSON is written in image order after all images.
 * A non-empty {@code out} is refused unless it is a previous synthetic output (see the marker), so user data is never
 * deleted.
 */
public final class SyntheticCocoGenerator {

    private SyntheticCocoGenerator() {
    }

    /** Default worker threads: the available processors, at most 4. */
    public static int defaultThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Generates the dataset with {@link #defaultThreads()} threads.
     *
     * @param config  what to generate
     * @param outDir  a new, empty or previously generated directory
     * @return paths and counts
     * @throws java.nio.file.DirectoryNotEmptyException if {@code outDir} holds foreign files (nothing is changed)
     * @throws IOException                              on write errors
     */
    public static SyntheticCocoDataset generate(SyntheticCocoConfig config, Path outDir) throws IOException {
        return generate(config, outDir, defaultThreads());
    }

    /**
     * Generates the dataset with {@code threads} worker threads (the output does not depend on it).
     *
     * @see #generate(SyntheticCocoConfig, Path)
     */
    public static SyntheticCocoDataset generate(SyntheticCocoConfig config, Path outDir, int threads)
            throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        Path root = outDir.toAbsolutePath().normalize();
        SyntheticOutputDirectory.prepare(root);
        SyntheticOutputDirectory.writeMarker(root, config, false, null);
        Path ann = Files.createDirectories(root.resolve(SyntheticOutputDirectory.ANNOTATIONS));
        SyntheticSceneRenderer renderer = new SyntheticSceneRenderer(config);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "synthetic-coco");
            t.setDaemon(true);
            return t;
        });
        int[] counts = new int[2];
        int[] dropped = new int[2];
        try {
            long firstId = 1;
            for (SyntheticSplit split : SyntheticSplit.values()) {
                int n = split == SyntheticSplit.TRAIN ? config.numTrainImages() : config.numValImages();
                Path dir = Files.createDirectories(root.resolve(split.dirName()));
                List<CocoAnnotationWriter.ImageEntry> entries = renderSplit(renderer, split, n, firstId, dir, pool,
                        dropped);
                counts[split.ordinal()] = CocoAnnotationWriter.write(ann.resolve(split.annotationFileName()), config,
                        split, entries);
                firstId += n;
            }
        } finally {
            pool.shutdownNow();
        }
        SyntheticOutputDirectory.writeMarker(root, config, true, counts);
        return new SyntheticCocoDataset(root, config, root.resolve(SyntheticSplit.TRAIN.dirName()),
                root.resolve(SyntheticSplit.VAL.dirName()), ann.resolve(SyntheticSplit.TRAIN.annotationFileName()),
                ann.resolve(SyntheticSplit.VAL.annotationFileName()), config.numTrainImages(), config.numValImages(),
                counts[0], counts[1], dropped[0], dropped[1]);
    }

    private static List<CocoAnnotationWriter.ImageEntry> renderSplit(SyntheticSceneRenderer renderer,
            SyntheticSplit split, int n, long firstId, Path dir, ExecutorService pool, int[] dropped)
            throws IOException {
        int quality = renderer.config().jpegQuality();
        List<Future<SceneResult>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int index = i;
            final long id = firstId + i;
            futures.add(pool.submit(() -> {
                SyntheticScene scene = renderer.render(split, index);
                String name = SyntheticOutputDirectory.imageFileName(id);
                writeJpeg(scene, dir.resolve(name), quality);
                return new SceneResult(new CocoAnnotationWriter.ImageEntry(id, name, scene.objects()),
                        scene.droppedHidden(), scene.droppedNoRoom());
            }));
        }
        List<CocoAnnotationWriter.ImageEntry> entries = new ArrayList<>(n);
        for (Future<SceneResult> f : futures) {
            SceneResult r = get(f, split);
            entries.add(r.entry());
            dropped[0] += r.hidden();
            dropped[1] += r.noRoom();
        }
        return entries;
    }

    private record SceneResult(CocoAnnotationWriter.ImageEntry entry, int hidden, int noRoom) {
    }

    private static SceneResult get(Future<SceneResult> f, SyntheticSplit split) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating the " + split.dirName() + " split", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("generating the " + split.dirName() + " split failed", c);
        }
    }

    /**
     * Encodes {@code scene} as a baseline JFIF JPEG ({@code quality} 1..100) into {@code file}.
     *
     * @throws IOException naming the file
     */
    static void writeJpeg(SyntheticScene scene, Path file, int quality) throws IOException {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        if (!it.hasNext()) {
            throw new IOException(file + ": no JPEG writer available in this JRE");
        }
        ImageWriter writer = it.next();
        try (OutputStream os = Files.newOutputStream(file);
             MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(os)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(ios);
            writer.write(null, new IIOImage(scene.toImage(), null, null), param);
        } catch (IOException e) {
            throw new IOException(file + ": cannot write JPEG: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
    }
}
