package org.detrdistill.distill.teacher;

import org.detrdistill.core.box.BoxOps;
import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.core.postprocess.PostProcessor;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * A detector teacher's box-level outputs for Teach-DETR, per image: the top-k (query, class) pairs of the final
 * stage by sigmoid score (as the post-processor takes them), then the {@link BoxSelection} (threshold, cap).
 *
 * @param boxes  per image {@code [n,4]} DOUBLE cxcywh normalised ({@code [0,4]} when nothing is kept)
 * @param scores per image {@code [n]} sigmoid scores, descending
 * @param labels per image contiguous class labels
 */
record BoxLevelOutputs(List<INDArray> boxes, List<double[]> scores, List<int[]> labels) {

    /**
     * @param logits {@code [B,Q,C]} final class logits
     * @param boxes  {@code [B,Q,4]} final boxes, cxcywh normalised
     */
    static BoxLevelOutputs of(INDArray logits, INDArray boxes, DetectionBatch batch, PostProcessor topK, BoxSelection selection) {
        List<INDArray> outBoxes = new ArrayList<>();
        List<double[]> scores = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            Detections d = topK.processImage(logits.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()),
                    boxes.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()),
                    batch.targets().get(b).imageId(), 1, 1);   // size 1 x 1: xyxy stays normalised
            int[] keep = selection.select(d.scores());
            double[] xyxy = new double[4 * keep.length], s = new double[keep.length];
            int[] l = new int[keep.length];
            for (int i = 0; i < keep.length; i++) {
                System.arraycopy(d.box(keep[i]), 0, xyxy, 4 * i, 4);
                s[i] = d.score(keep[i]);
                l[i] = d.label(keep[i]);
            }
            double[] cxcywh = new double[xyxy.length];
            BoxOps.xyxyToCxcywh(xyxy, cxcywh, keep.length);
            outBoxes.add(boxArray(cxcywh, keep.length));
            scores.add(s);
            labels.add(l);
        }
        return new BoxLevelOutputs(outBoxes, scores, labels);
    }

    /** {@code [n,4]} DOUBLE from a flat array (an empty {@code [0,4]} array when {@code n = 0}). */
    static INDArray boxArray(double[] flat, int n) {
        return n == 0 ? Nd4j.create(DataType.DOUBLE, 0, 4) : Nd4j.createFromArray(flat).reshape(n, 4);
    }
}
