package org.detrdistill.core.position;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Plain-array twin of {@link SineEmbedding} (same arithmetic order: {@code pos·scale / dim_t}, float32 table), for
 * tests and for uses outside a graph.
 */
public final class SineEmbeddingReference {
    private SineEmbeddingReference() {}

    /**
     * @param pos {@code [..., c]} any float type
     * @return {@code [..., cfg.outputWidth()]} DOUBLE
     */
    public static INDArray embed(SineEmbedding cfg, INDArray pos) {
        int c = cfg.inputCoordinates();
        long[] shape = pos.shape();
        if (shape.length < 1 || shape[shape.length - 1] != c) {
            throw new IllegalArgumentException("pos must be [..., " + c + "], got " + Arrays.toString(shape));
        }
        double[] p = pos.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int rows = p.length / c, n = cfg.numPosFeats(), width = cfg.outputWidth();
        double[] dimT = FrequencyTable.float32(n, cfg.temperature());
        double[] out = new double[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < cfg.order().size(); b++) {
                double v = p[r * c + cfg.order().get(b)] * cfg.scale();
                for (int k = 0; k < n; k++) {
                    double a = v / dimT[k];
                    out[r * width + b * n + k] = k % 2 == 0 ? Math.sin(a) : Math.cos(a);
                }
            }
        }
        long[] outShape = shape.clone();
        outShape[outShape.length - 1] = width;
        return Nd4j.create(out, outShape, DataType.DOUBLE);
    }
}
