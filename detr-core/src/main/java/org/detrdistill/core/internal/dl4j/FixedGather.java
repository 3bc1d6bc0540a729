package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * The stock {@code gather} op with a correct gradient along axis 0.
 *
 * <p><b>Defect (nd4j-api 1.0.0-M2.1):</b> {@link Gather#doDiff} builds the input gradient for axis 0 with
 * {@code zerosLike(x).put(indices, grad, indices)}. Measured with 1-D indices {@code [2,0,2,4,2,1]} into a
 * {@code [5,3]} input: the rows of the gradient are mis-placed and repeated indices are not accumulated (see
 * {@code GathersTest}); the project notes also record shape errors in backward and a JVM abort with other shapes.
 *
 * <p><b>Workaround:</b> for axis 0 the gradient is {@code unsortedSegmentSum(reshape(grad, [K, tail...]),
 * flatten(indices), N)} where {@code x} is {@code [N, tail...]} and {@code K} the number of indices, which accumulates
 * duplicates. Other axes keep the stock gradient, untested (the framework only gathers rows; see {@link Gathers}).
 *
 * <p>SameDiff re-creates every op from its serialised form (op hash and name) when it builds the gradient graph, so an
 * instance of this class in the forward graph would be silently replaced by the stock class there. {@link Dl4jFixes#install()}
 * maps the {@code gather} hash to this class; {@link Gathers#rows} calls it. Because the class is registered by hash,
 * every {@code gather} op in the JVM is differentiated by this class once installed, including ones created with
 * {@code sd.gather(...)}; their forward pass is unchanged.
 */
public class FixedGather extends Gather {

    /** No-argument constructor, used when SameDiff re-creates the op from its serialised form. */
    public FixedGather() {
        super();
    }

    /**
     * Gathers slices of {@code input} along {@code axis}.
     *
     * @param sd      the graph
     * @param input   {@code [N, tail...]} (axis 0) floating-point
     * @param indices integer indices, any rank, values in {@code [0, N)}
     * @param axis    the gathered axis; only axis 0 has the corrected gradient
     */
    public FixedGather(SameDiff sd, SDVariable input, SDVariable indices, int axis) {
        super(sd, input, indices, axis);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        if (jaxis != 0) {
            return super.doDiff(gradients);
        }
        SDVariable x = arg(0);
        SDVariable idx = arg(1);
        SDVariable grad = gradients.get(0);
        long[] xShape = x.getShape();
        SDVariable flatIdx = sameDiff.reshape(idx, sameDiff.constant(Nd4j.createFromArray(-1L)));
        SDVariable gradRows;
        SDVariable numRows;
        if (xShape != null && Arrays.stream(xShape).allMatch(d -> d >= 0)) {
            long[] rowShape = xShape.clone();
            rowShape[0] = -1;
            gradRows = sameDiff.reshape(grad, rowShape);
            numRows = sameDiff.constant(Nd4j.scalar(DataType.INT64, xShape[0]));
        } else {
            // dynamic shape, rank possibly unknown: [-1] ++ shape(x)[1:]
            SDVariable shape = sameDiff.shape(x).castTo(DataType.INT64);
            SDVariable tail = sameDiff.stridedSlice(shape, new long[]{1}, new long[]{0}, new long[]{1},
                    0, 1, 0, 0, 0);
            SDVariable rowShape = sameDiff.concat(0, sameDiff.constant(Nd4j.createFromArray(-1L)), tail);
            gradRows = sameDiff.reshape(grad, rowShape);
            numRows = sameDiff.sizeAt(x, 0).castTo(DataType.INT64);
        }
        SDVariable dx = sameDiff.unsortedSegmentSum(gradRows, flatIdx, numRows);
        SDVariable dIdx = sameDiff.zerosLike(idx);
        return Arrays.asList(dx, dIdx);
    }
}
