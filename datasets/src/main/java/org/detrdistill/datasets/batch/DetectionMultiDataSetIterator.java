package org.detrdistill.datasets.batch;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Objects;

/**
 * {@link CocoDetectionIterator} as an ND4J {@link MultiDataSetIterator}, for SameDiff {@code fit} and other DL4J
 * consumers. Ragged targets are padded to {@code G = max(1, most objects in the batch)}:
 * <ul>
 *   <li>features {@code [0]} images {@code [B,3,Hmax,Wmax]}, {@code [1]} padding mask {@code [B,Hmax,Wmax]}
 *       (1 = padding), as in {@link DetectionBatch};</li>
 *   <li>labels {@code [0]} class labels {@code [B,G]} FLOAT (contiguous label values, 0 in padding slots),
 *       {@code [1]} boxes {@code [B,G,4]} cxcywh normalised (0 in padding slots);</li>
 *   <li>labels masks {@code [0]} and {@code [1]}: {@code [B,G]} FLOAT, 1 for a real object, 0 for a padding slot.</li>
 * </ul>
 * {@code asyncSupported()} is false because the source already prefetches on its own threads.
 */
public final class DetectionMultiDataSetIterator implements MultiDataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private final transient CocoDetectionIterator source;
    private transient MultiDataSetPreProcessor preProcessor;

    /** Wraps {@code source}; closing this closes it. */
    public DetectionMultiDataSetIterator(CocoDetectionIterator source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Converts a batch to the layout described in the class comment.
     *
     * @param batch the batch
     * @return features {images, mask}, labels {classes [B,G], boxes [B,G,4]}, label masks {[B,G], [B,G]}
     */
    public static MultiDataSet toMultiDataSet(DetectionBatch batch) {
        int b = batch.size(), g = 1;
        for (ImageTarget t : batch.targets()) {
            g = Math.max(g, t.size());
        }
        float[] classes = new float[b * g];
        float[] boxes = new float[b * g * 4];
        float[] valid = new float[b * g];
        for (int i = 0; i < b; i++) {
            ImageTarget t = batch.targets().get(i);
            int n = t.size();
            if (n > 0) {
                float[] bx = t.boxes().castTo(DataType.FLOAT).dup('c').data().asFloat();
                System.arraycopy(bx, 0, boxes, i * g * 4, 4 * n);
            }
            for (int k = 0; k < n; k++) {
                classes[i * g + k] = t.labels()[k];
                valid[i * g + k] = 1f;
            }
        }
        INDArray validMask = Nd4j.create(valid, new long[]{b, g}, DataType.FLOAT);
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[]{batch.images(), batch.mask()},
                new INDArray[]{Nd4j.create(classes, new long[]{b, g}, DataType.FLOAT),
                        Nd4j.create(boxes, new long[]{b, g, 4}, DataType.FLOAT)},
                null,
                new INDArray[]{validMask, validMask.dup()});
    }

    @Override
    public boolean hasNext() { return source.hasNext(); }

    @Override
    public MultiDataSet next() {
        MultiDataSet mds = toMultiDataSet(source.next());
        if (preProcessor != null) {
            preProcessor.preProcess(mds);
        }
        return mds;
    }

    /** Not supported: the batch size is fixed by the {@link LoaderConfig}. */
    @Override
    public MultiDataSet next(int num) {
        throw new UnsupportedOperationException("batch size is fixed by LoaderConfig.batchSize ("
                + source.config().batchSize() + ")");
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) { this.preProcessor = preProcessor; }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() { return preProcessor; }

    @Override
    public boolean resetSupported() { return true; }

    @Override
    public boolean asyncSupported() { return false; }

    /** Starts the next epoch (see {@link CocoDetectionIterator#reset()}). */
    @Override
    public void reset() { source.reset(); }

    @Override
    public void close() { source.close(); }
}
