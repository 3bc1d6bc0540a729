package org.detrdistill.core.internal.dl4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * {@code unsorted_segment_sum} ({@code out[ids[m], ...] += data[m, ...]}) as one pass over host memory. The native op of
 * 1.0.0-M2.1 builds a view object per input row and adds rows one NDArray operation at a time (≈ 0.8 µs per row of
 * 64 floats, measured): as the backward pass of the bilinear sampler's row gather ({@link FixedGather}) it took
 * 18 ms per call and 43 % of Deformable DETR's op time. {@link PlanSession} runs the op through this class when
 * {@link #applicable}; otherwise (other layouts, types, backends) the native op runs. Same result as the native op
 * for in-range ids, summed in row order; an id outside {@code [0, numSegments)} throws like the native op.
 */
final class HostSegmentSum {
    private HostSegmentSum() {}

    /** CPU backend, FLOAT/DOUBLE dense C-order data of rank ≥ 1, INT32/INT64 dense ids of the data's row count. */
    static boolean applicable(INDArray data, INDArray ids) {
        return Nd4j.getEnvironment().isCPU() && (data.dataType() == DataType.FLOAT || data.dataType() == DataType.DOUBLE)
                && (ids.dataType() == DataType.INT || ids.dataType() == DataType.LONG)
                && dense(data) && dense(ids) && data.rank() >= 1 && ids.length() == data.size(0);
    }

    private static boolean dense(INDArray a) {
        return !a.isEmpty() && !a.isView() && a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length();
    }

    /**
     * The segment sums.
     *
     * @param out {@code [numSegments, data.shape[1:]...]} of the data's type, dense C order; overwritten
     * @throws IllegalArgumentException if an id is outside {@code [0, numSegments)}
     */
    static void run(INDArray data, INDArray ids, INDArray out) {
        long numSegments = out.size(0);
        int rows = Math.toIntExact(data.size(0));
        int width = rows == 0 ? 0 : Math.toIntExact(data.length() / rows);
        int[] id = new int[rows];
        if (ids.dataType() == DataType.INT) {
            IntBuffer b = ids.data().asNioInt();
            for (int m = 0; m < rows; m++) id[m] = b.get(m);
        } else {
            LongBuffer b = ids.data().asNioLong();
            for (int m = 0; m < rows; m++) id[m] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, b.get(m)));
        }
        for (int m = 0; m < rows; m++) {
            if (id[m] < 0 || id[m] >= numSegments) {
                throw new IllegalArgumentException("unsorted_segment_sum: segment id " + id[m] + " at row " + m
                        + " is outside [0, " + numSegments + ")");
            }
        }
        if (data.dataType() == DataType.FLOAT) {
            float[] src = new float[Math.toIntExact(data.length())];
            data.data().asNioFloat().get(0, src);   // one bulk copy; the loop then runs on a Java array
            float[] acc = new float[Math.toIntExact(out.length())];
            for (int m = 0; m < rows; m++) {
                int to = id[m] * width, from = m * width;
                for (int c = 0; c < width; c++) acc[to + c] += src[from + c];
            }
            FloatBuffer o = out.data().asNioFloat();
            o.put(0, acc);
        } else {
            double[] src = new double[Math.toIntExact(data.length())];
            data.data().asNioDouble().get(0, src);
            double[] acc = new double[Math.toIntExact(out.length())];
            for (int m = 0; m < rows; m++) {
                int to = id[m] * width, from = m * width;
                for (int c = 0; c < width; c++) acc[to + c] += src[from + c];
            }
            DoubleBuffer o = out.data().asNioDouble();
            o.put(0, acc);
        }
    }
}
