package org.detrdistill.datasets.batch;

import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.image.DetectionSample;
import org.detrdistill.datasets.image.DetectionTransform;
import org.detrdistill.datasets.image.Normalization;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Padded, augmented batches of a COCO dataset ({@link DetectionBatch}), prepared in the background.
 *
 * <p>Reproducibility. Epoch {@code e} visits the images in an order that depends only on {@code (seed, e)} (identity
 * order if {@code shuffle} is off), and image {@code i}'s augmentation in epoch {@code e} draws from a generator seeded
 * by {@code (seed, e, i)}. Batches are therefore identical for any number of workers and any timing. The iterator
 * starts at epoch 0 (or the builder's {@code startEpoch}); {@link #reset()} moves to the next epoch,
 * {@link #reset(int)} to a given one (to resume training).
 *
 * <p>Threads. With {@code workers > 0} a fixed pool of daemon threads builds whole batches (decode, transform, pad),
 * keeping up to {@code max(prefetchBatches, workers)} batches in flight, starting at construction; {@code next()}
 * returns them in order. With {@code workers = 0} batches are built inside {@code next()}. {@link #close()} stops the
 * threads. The iterator itself is for one consumer thread.
 *
 * <p>Errors. A missing or corrupt image file, or one whose decoded size differs from the instances file, makes
 * {@code next()} throw an {@link UncheckedIOException} naming the image id and the file; that batch is lost, the
 * iterator stays usable. (Load the dataset with {@code CocoReadOptions.imageRoot} set to skip missing files up front.)
 */
public final class CocoDetectionIterator implements Iterator<DetectionBatch>, AutoCloseable {
    private final CocoDataset dataset;
    private final LoaderConfig config;
    private final Normalization normalization;
    private final SampleLoader loader;
    private final ExecutorService pool;
    private final int window;
    private final ArrayDeque<Future<DetectionBatch>> inFlight = new ArrayDeque<>();
    private int epoch;
    private int[] order;
    private int batches;
    private int submitted;
    private int returned;
    private boolean closed;

    private CocoDetectionIterator(Builder b) {
        this.dataset = b.dataset;
        this.config = b.config;
        this.normalization = b.normalization;
        Path root = b.imageRoot != null ? b.imageRoot : dataset.imageRoot().orElseThrow(() -> new IllegalArgumentException(
                "no image directory: set Builder.imageRoot or CocoReadOptions.imageRoot for " + dataset.file()));
        this.loader = new SampleLoader(dataset, root, b.transform);
        this.window = Math.max(config.prefetchBatches(), config.workers());
        if (config.workers() > 0) {
            String poolId = Integer.toHexString(System.identityHashCode(this));
            AtomicInteger threadIds = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(config.workers(), r -> {
                Thread t = new Thread(r, "coco-loader-" + poolId + "-" + threadIds.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        } else {
            this.pool = null;
        }
        startEpoch(b.startEpoch);
    }

    /** A builder for iterating {@code dataset}. */
    public static Builder builder(CocoDataset dataset) { return new Builder(dataset); }

    /** The current epoch. */
    public int epoch() { return epoch; }

    /** Batches per epoch: {@code ceil(N / B)}, or {@code floor(N / B)} with {@code dropLast}. */
    public int batchesPerEpoch() { return batches; }

    /** The settings. */
    public LoaderConfig config() { return config; }

    /** The image indices of the current epoch in visiting order (a copy). */
    public int[] epochOrder() { return order.clone(); }

    @Override
    public boolean hasNext() {
        checkOpen();
        return returned < batches;
    }

    /**
     * The next batch of the current epoch.
     *
     * @throws NoSuchElementException at the end of the epoch
     * @throws UncheckedIOException   if an image of the batch cannot be loaded (message names image id and file)
     */
    @Override
    public DetectionBatch next() {
        checkOpen();
        if (returned >= batches) {
            throw new NoSuchElementException("epoch " + epoch + " has no more batches; call reset() for the next epoch");
        }
        int k = returned++;
        if (pool == null) {
            return build(epoch, order, k);
        }
        Future<DetectionBatch> f = inFlight.removeFirst();
        fill();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for batch " + k + " of epoch " + epoch, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw new UncheckedIOException(u.getMessage(), u.getCause());
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("loading batch " + k + " of epoch " + epoch + " failed: " + c, c);
        }
    }

    /** Starts the next epoch (new order and augmentations if shuffling), discarding what is left of this one. */
    public void reset() {
        reset(epoch + 1);
    }

    /** Starts epoch {@code epoch} (e.g. to resume training), discarding what is left of the current one. */
    public void reset(int epoch) {
        checkOpen();
        startEpoch(epoch);
    }

    /** Stops the worker threads. Idempotent; the iterator cannot be used afterwards. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cancelInFlight();
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private void startEpoch(int e) {
        if (e < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + e);
        }
        cancelInFlight();
        epoch = e;
        order = Seeds.order(dataset.size(), config.shuffle(), Seeds.forEpoch(config.seed(), e));
        int n = dataset.size(), bs = config.batchSize();
        batches = config.dropLast() ? n / bs : (n + bs - 1) / bs;
        submitted = 0;
        returned = 0;
        fill();
    }

    private void fill() {
        if (pool == null) {
            return;
        }
        final int e = epoch;
        final int[] o = order;
        while (inFlight.size() < window && submitted < batches) {
            final int k = submitted++;
            inFlight.addLast(pool.submit(() -> build(e, o, k)));
        }
    }

    private void cancelInFlight() {
        for (Future<DetectionBatch> f : inFlight) {
            f.cancel(true);
        }
        inFlight.clear();
    }

    /** Builds batch {@code k} of epoch {@code e}: a pure function of its arguments and the configuration. */
    private DetectionBatch build(int e, int[] o, int k) {
        int from = k * config.batchSize(), to = Math.min(from + config.batchSize(), o.length);
        List<DetectionSample> samples = new ArrayList<>(to - from);
        try {
            for (int i = from; i < to; i++) {
                samples.add(loader.load(o[i], Seeds.forSample(config.seed(), e, o[i])));
            }
        } catch (RuntimeException ex) {
            samples.forEach(s -> s.image().close());
            throw ex;
        }
        return DetectionCollator.collate(samples, normalization, config.sizeDivisibility(), config.canvasHeight(), config.canvasWidth());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("iterator is closed");
        }
    }

    /** Builder of {@link CocoDetectionIterator}. */
    public static final class Builder {
        private final CocoDataset dataset;
        private Path imageRoot;
        private LoaderConfig config = LoaderConfig.defaults();
        private DetectionTransform transform = DetectionTransform.identity();
        private Normalization normalization = Normalization.IMAGENET;
        private int startEpoch;

        private Builder(CocoDataset dataset) { this.dataset = Objects.requireNonNull(dataset, "dataset"); }

        /** Directory of the image files; default: the dataset's {@code CocoReadOptions.imageRoot}. */
        public Builder imageRoot(Path v) { imageRoot = v; return this; }

        /** Batching and threading; default {@link LoaderConfig#defaults()}. */
        public Builder config(LoaderConfig v) { config = Objects.requireNonNull(v); return this; }

        /** Per-image transform; default identity (no resize). See {@code DetrTransforms}. */
        public Builder transform(DetectionTransform v) { transform = Objects.requireNonNull(v); return this; }

        /** Normalisation; default {@link Normalization#IMAGENET}. */
        public Builder normalization(Normalization v) { normalization = Objects.requireNonNull(v); return this; }

        /** First epoch; default 0. */
        public Builder startEpoch(int v) { startEpoch = v; return this; }

        /** The iterator; with workers it starts loading at once. */
        public CocoDetectionIterator build() {
            if (dataset.size() == 0) {
                throw new IllegalArgumentException(dataset.file() + ": the dataset has no images");
            }
            return new CocoDetectionIterator(this);
        }
    }
}
