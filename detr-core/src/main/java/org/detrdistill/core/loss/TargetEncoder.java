package org.detrdistill.core.loss;

import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a matching ({@code List<Assignment>}, one per image) and the images' targets into the arrays the set criterion
 * reads ({@link EncodedTargets}), in plain Java outside the graph.
 *
 * <ul>
 *   <li>class target {@code [B,Q,K]}: the matched target's class probabilities at each matched query; unmatched
 *       queries get all zeros ({@link ClassLoss#SIGMOID_FOCAL}) or the no-object one-hot ({@link ClassLoss#SOFTMAX_CE},
 *       last column). Matched queries have no-object probability 0;</li>
 *   <li>query weight {@code [B,Q]}: the matched target's weight, {@code unmatchedQueryWeight} elsewhere;</li>
 *   <li>flat source index {@code b·Q + q}, target boxes and box weights of every matched pair, image by image in
 *       the assignment's order.</li>
 * </ul>
 */
public final class TargetEncoder {
    private final int numQueries;
    private final int numClasses;
    private final boolean noObjectColumn;
    private final DataType dataType;

    /**
     * @param numQueries     {@code Q}
     * @param numClasses     {@code C} real classes
     * @param noObjectColumn true for {@link ClassLoss#SOFTMAX_CE} ({@code K = C + 1})
     * @param dataType       floating type of the float arrays (that of the predictions)
     */
    public TargetEncoder(int numQueries, int numClasses, boolean noObjectColumn, DataType dataType) {
        if (numQueries < 1 || numClasses < 1) {
            throw new IllegalArgumentException("numQueries and numClasses must be >= 1, got " + numQueries + ", " + numClasses);
        }
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("dataType must be floating point, got " + dataType);
        }
        this.numQueries = numQueries;
        this.numClasses = numClasses;
        this.noObjectColumn = noObjectColumn;
        this.dataType = dataType;
    }

    /** An encoder matching {@code config} (its class loss and class count). */
    public static TargetEncoder forConfig(CriterionConfig config, int numQueries, DataType dataType) {
        return new TargetEncoder(numQueries, config.numClasses(), config.classLoss() == ClassLoss.SOFTMAX_CE, dataType);
    }

    /** {@code num_boxes = max(total number of targets over the batch, 1)}, as the reference criteria. */
    public static double numBoxes(List<ImageTarget> targets) {
        long n = 0;
        for (ImageTarget t : targets) {
            n += t.size();
        }
        return Math.max(n, 1);
    }

    /**
     * Ground truth: one-hot class targets, all weights 1.
     *
     * @param assignments one per image, query indices in {@code [0, Q)}, target indices into that image's targets
     * @param targets     one per image, same order
     */
    public EncodedTargets encode(List<Assignment> assignments, List<ImageTarget> targets) {
        List<SoftTargets> soft = new ArrayList<>(targets.size());
        for (int b = 0; b < targets.size(); b++) {
            ImageTarget t = targets.get(b);
            INDArray probs = Nd4j.zeros(DataType.DOUBLE, t.size(), numClasses);
            for (int j = 0; j < t.size(); j++) {
                int label = t.labels()[j];
                if (label < 0 || label >= numClasses) {
                    throw new IllegalArgumentException("image " + b + " (id " + t.imageId() + "): label[" + j + "] = "
                            + label + " is outside [0, " + numClasses + ")");
                }
                probs.putScalar(j, label, 1.0);
            }
            soft.add(new SoftTargets(probs, t.boxes(), null));
        }
        return encodeSoft(assignments, soft, 1.0);
    }

    /**
     * General form: class probabilities and per-target weights.
     *
     * @param assignments          one per image
     * @param targets              one per image
     * @param unmatchedQueryWeight classification weight of queries matched to nothing (1 for DETR/DETRDistill,
     *                             0.5 in Teach-DETR's official code)
     */
    public EncodedTargets encodeSoft(List<Assignment> assignments, List<SoftTargets> targets, double unmatchedQueryWeight) {
        if (assignments.size() != targets.size()) {
            throw new IllegalArgumentException("assignments and targets differ in batch size: " + assignments.size()
                    + " vs " + targets.size());
        }
        int batch = targets.size();
        if (batch < 1) {
            throw new IllegalArgumentException("empty batch");
        }
        int k = noObjectColumn ? numClasses + 1 : numClasses;
        double[][][] cls = new double[batch][numQueries][k];
        double[][] qw = new double[batch][numQueries];
        List<Long> src = new ArrayList<>();
        List<double[]> boxes = new ArrayList<>();
        List<Double> bw = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            SoftTargets t = targets.get(b);
            Assignment a = assignments.get(b);
            if (t.classProbs().size(1) != numClasses) {
                throw new IllegalArgumentException("image " + b + ": classProbs must have " + numClasses
                        + " columns, got " + t.classProbs().size(1));
            }
            boolean[] matched = new boolean[numQueries];
            for (int i = 0; i < a.size(); i++) {
                int q = a.queryIndex()[i];
                int j = a.targetIndex()[i];
                if (q < 0 || q >= numQueries) {
                    throw new IllegalArgumentException("image " + b + ": assignment queryIndex[" + i + "] = " + q
                            + " is outside [0, " + numQueries + ")");
                }
                if (j < 0 || j >= t.size()) {
                    throw new IllegalArgumentException("image " + b + ": assignment targetIndex[" + i + "] = " + j
                            + " is outside [0, " + t.size() + ")");
                }
                if (matched[q]) {
                    throw new IllegalArgumentException("image " + b + ": query " + q + " is assigned twice");
                }
                matched[q] = true;
                for (int c = 0; c < numClasses; c++) {
                    cls[b][q][c] = t.classProbs().getDouble(j, c);
                }
                qw[b][q] = t.weight(j);
                src.add((long) b * numQueries + q);
                boxes.add(new double[]{t.boxes().getDouble(j, 0), t.boxes().getDouble(j, 1),
                        t.boxes().getDouble(j, 2), t.boxes().getDouble(j, 3)});
                bw.add(t.weight(j));
            }
            for (int q = 0; q < numQueries; q++) {
                if (!matched[q]) {
                    qw[b][q] = unmatchedQueryWeight;
                    if (noObjectColumn) {
                        cls[b][q][numClasses] = 1.0;
                    }
                }
            }
        }
        int numMatched = src.size();
        if (numMatched == 0) {   // padding pair: keeps every placeholder non-empty, contributes exactly 0
            src.add(0L);
            boxes.add(new double[]{0.5, 0.5, 1.0, 1.0});
            bw.add(0.0);
        }
        long[] srcArr = new long[src.size()];
        double[][] boxArr = new double[src.size()][];
        double[] bwArr = new double[src.size()];
        for (int i = 0; i < srcArr.length; i++) {
            srcArr[i] = src.get(i);
            boxArr[i] = boxes.get(i);
            bwArr[i] = bw.get(i);
        }
        return new EncodedTargets(
                Nd4j.createFromArray(cls).castTo(dataType),
                Nd4j.createFromArray(qw).castTo(dataType),
                Nd4j.createFromArray(srcArr),
                Nd4j.createFromArray(boxArr).castTo(dataType),
                Nd4j.createFromArray(bwArr).castTo(dataType),
                numMatched);
    }
}
