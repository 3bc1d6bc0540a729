package org.detrdistill.core.transformer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Shape tensors for reshapes whose leading dimensions (batch, queries) are only known when the graph runs.
 */
final class DynamicShapes {

    private DynamicShapes() {}

    /**
     * The INT64 shape {@code shape(like)[0:k] ++ tail}.
     *
     * @param like a variable whose first {@code k} dimensions the result copies
     * @param k    number of leading dimensions to copy
     * @param tail static trailing dimensions
     */
    static SDVariable leading(SameDiff sd, SDVariable like, int k, long... tail) {
        SDVariable lead = sd.stridedSlice(sd.shape(like).castTo(DataType.INT64), new long[]{0}, new long[]{k}, new long[]{1});
        return sd.concat(0, lead, sd.constant(Nd4j.createFromArray(tail)));
    }
}
