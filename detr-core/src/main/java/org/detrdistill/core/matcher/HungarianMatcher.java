package org.detrdistill.core.matcher;

import org.detrdistill.core.box.HostArrays;
import org.detrdistill.datasets.batch.ImageTarget;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The DETR-family bipartite matcher: per image, the optimal one-to-one assignment between the Q predictions and the
 * n targets under {@code C = bboxWeight * L1(cxcywh) + classWeight * classCost + giouWeight * (-GIoU(xyxy))}
 * (facebookresearch/detr and Deformable-DETR {@code models/matcher.py}), solved exactly by
 * {@link LinearSumAssignment}. Runs on the host in double precision, outside any graph (no gradient).
 *
 * <p>Targets are either ground truth (labels) or soft class-probability vectors, so the same matcher serves
 * distillation, where teacher predictions act as targets (DETRDistill: {@link MatcherConfig#detrDistill()} with
 * teacher sigmoid scores; Teach-DETR: teacher boxes with labels).
 *
 * <p>Shapes: predictions {@code predLogits [B,Q,C]} (raw logits; C includes the no-object column for
 * {@link MatcherConfig.ClassCost#SOFTMAX}) and {@code predBoxes [B,Q,4]} cxcywh normalised; target boxes
 * {@code [n,4]} cxcywh normalised; labels in {@code [0, C)} ({@code [0, C-1)} for softmax); probabilities
 * {@code [n,K]} in [0,1] with {@code K = C} ({@code C-1} also accepted for softmax). Any floating type, views allowed.
 * The result of image b is an {@link Assignment} of {@code min(Q, n_b)} pairs, queries ascending; images without
 * targets get {@link Assignment#empty()}.
 *
 * <p>Immutable and thread-safe (each call uses its own work buffers).
 */
public final class HungarianMatcher {
    private final MatcherConfig config;
    private final MatchingCost cost;

    /** A matcher with the given cost configuration. */
    public HungarianMatcher(MatcherConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.cost = new MatchingCost(config);
    }

    /** The cost configuration. */
    public MatcherConfig config() { return config; }

    /**
     * Matches every image of a batch to its ground truth.
     *
     * @param predLogits {@code [B,Q,C]} class logits
     * @param predBoxes  {@code [B,Q,4]} cxcywh, normalised
     * @param targets    {@code B} targets (labels and {@code [n_b,4]} cxcywh normalised boxes)
     * @return {@code B} assignments, query index ascending
     * @throws IllegalArgumentException on bad shapes or values, naming the image and entry
     */
    public List<Assignment> match(INDArray predLogits, INDArray predBoxes, List<ImageTarget> targets) {
        Preds p = Preds.batch(predLogits, predBoxes, targets.size());
        LinearSumAssignment solver = new LinearSumAssignment();
        List<Assignment> out = new ArrayList<>(p.b);
        for (int b = 0; b < p.b; b++) {
            ImageTarget t = Objects.requireNonNull(targets.get(b), "targets[" + b + "]");
            out.add(solve(solver, p, b, labelCost(p, b, t.boxes(), t.labels(), "targets[" + b + "]"), t.size()));
        }
        return out;
    }

    /**
     * Matches every image of a batch to soft targets, e.g. teacher predictions.
     *
     * @param targetBoxes {@code B} arrays {@code [n_b,4]} cxcywh, normalised
     * @param targetProbs {@code B} arrays {@code [n_b,K]} class probabilities in [0,1]
     */
    public List<Assignment> matchSoft(INDArray predLogits, INDArray predBoxes,
                                      List<INDArray> targetBoxes, List<INDArray> targetProbs) {
        if (targetBoxes.size() != targetProbs.size()) {
            throw new IllegalArgumentException("targetBoxes has " + targetBoxes.size() + " images, targetProbs "
                    + targetProbs.size());
        }
        Preds p = Preds.batch(predLogits, predBoxes, targetBoxes.size());
        LinearSumAssignment solver = new LinearSumAssignment();
        List<Assignment> out = new ArrayList<>(p.b);
        for (int b = 0; b < p.b; b++) {
            String name = "targets[" + b + "]";
            INDArray tb = targetBoxes.get(b);
            out.add(solve(solver, p, b, probCost(p, b, tb, targetProbs.get(b), name), (int) tb.size(0)));
        }
        return out;
    }

    /**
     * Matches a batch to dense soft targets, e.g. all {@code T} predictions of a teacher.
     *
     * @param targetBoxes {@code [B,T,4]} cxcywh, normalised
     * @param targetProbs {@code [B,T,K]} class probabilities in [0,1] (e.g. teacher sigmoid scores)
     */
    public List<Assignment> matchSoft(INDArray predLogits, INDArray predBoxes, INDArray targetBoxes, INDArray targetProbs) {
        HostArrays.requireShape("targetBoxes", targetBoxes, -1, -1, 4);
        HostArrays.requireShape("targetProbs", targetProbs, targetBoxes.size(0), targetBoxes.size(1), -1);
        List<INDArray> boxes = new ArrayList<>(), probs = new ArrayList<>();
        for (int b = 0; b < targetBoxes.size(0); b++) {
            boxes.add(targetBoxes.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()));
            probs.add(targetProbs.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()));
        }
        return matchSoft(predLogits, predBoxes, boxes, probs);
    }

    /**
     * The cost matrix of image {@code image} of a batch against its ground truth.
     *
     * @return {@code [Q, n]} DOUBLE, as passed to the assignment solver
     */
    public INDArray costMatrix(INDArray predLogits, INDArray predBoxes, int image, ImageTarget target) {
        Preds p = Preds.batch(predLogits, predBoxes, -1);
        if (image < 0 || image >= p.b) throw new IllegalArgumentException("image " + image + " outside [0, " + p.b + ")");
        return HostArrays.doubles(labelCost(p, image, target.boxes(), target.labels(), "target"), p.q, target.size());
    }

    /**
     * The cost matrix of one image against labelled targets.
     *
     * @param logits      {@code [Q,C]} class logits
     * @param boxes       {@code [Q,4]} cxcywh, normalised
     * @param targetBoxes {@code [n,4]} cxcywh, normalised
     * @param labels      {@code [n]} class labels
     * @return {@code [Q, n]} DOUBLE
     */
    public INDArray costMatrix(INDArray logits, INDArray boxes, INDArray targetBoxes, int[] labels) {
        Preds p = Preds.single(logits, boxes);
        return HostArrays.doubles(labelCost(p, 0, targetBoxes, labels, "target"), p.q, labels.length);
    }

    /**
     * The cost matrix of one image against soft targets.
     *
     * @param targetProbs {@code [n,K]} class probabilities in [0,1]
     * @return {@code [Q, n]} DOUBLE
     */
    public INDArray costMatrix(INDArray logits, INDArray boxes, INDArray targetBoxes, INDArray targetProbs) {
        Preds p = Preds.single(logits, boxes);
        return HostArrays.doubles(probCost(p, 0, targetBoxes, targetProbs, "target"), p.q, targetBoxes.size(0));
    }

    /** Matches one image ({@code logits [Q,C]}, {@code boxes [Q,4]}) to labelled targets. */
    public Assignment matchImage(INDArray logits, INDArray boxes, INDArray targetBoxes, int[] labels) {
        Preds p = Preds.single(logits, boxes);
        return solve(new LinearSumAssignment(), p, 0, labelCost(p, 0, targetBoxes, labels, "target"), labels.length);
    }

    /** Matches one image ({@code logits [Q,C]}, {@code boxes [Q,4]}) to soft targets {@code [n,K]}. */
    public Assignment matchImage(INDArray logits, INDArray boxes, INDArray targetBoxes, INDArray targetProbs) {
        Preds p = Preds.single(logits, boxes);
        double[] c = probCost(p, 0, targetBoxes, targetProbs, "target");
        return solve(new LinearSumAssignment(), p, 0, c, (int) targetBoxes.size(0));
    }

    // ---------------------------------------------------------------- internals

    private double[] labelCost(Preds p, int b, INDArray targetBoxes, int[] labels, String name) {
        Objects.requireNonNull(labels, name + ".labels");
        double[] tb = MatcherInputs.targetBoxes(name, targetBoxes, labels.length);
        int limit = config.classCost() == MatcherConfig.ClassCost.SOFTMAX ? p.c - 1 : p.c;
        for (int j = 0; j < labels.length; j++) {
            if (labels[j] < 0 || labels[j] >= limit) {
                throw new IllegalArgumentException(name + ".labels[" + j + "] = " + labels[j] + " is outside [0, "
                        + limit + ")" + (limit < p.c ? " (the last of the " + p.c + " logit columns is no-object)" : ""));
            }
        }
        p.validate(b);
        double[] out = new double[p.q * labels.length];
        if (labels.length > 0) {
            cost.withLabels(p.logits, b * p.q * p.c, p.boxes, b * p.q * 4, p.q, p.c, tb, labels, out);
        }
        return out;
    }

    private double[] probCost(Preds p, int b, INDArray targetBoxes, INDArray targetProbs, String name) {
        HostArrays.requireShape(name + " boxes", targetBoxes, -1, 4);
        int n = (int) targetBoxes.size(0);
        double[] tb = MatcherInputs.targetBoxes(name, targetBoxes, n);
        HostArrays.requireShape(name + " probs", targetProbs, n, -1);
        int k = (int) targetProbs.size(1);
        boolean softmax = config.classCost() == MatcherConfig.ClassCost.SOFTMAX;
        if (k != p.c && !(softmax && k == p.c - 1)) {
            throw new IllegalArgumentException(name + " probs have " + k + " classes, predictions " + p.c
                    + (softmax ? " (or " + (p.c - 1) + " without no-object)" : ""));
        }
        double[] probs = MatcherInputs.probabilities(name, targetProbs);
        p.validate(b);
        double[] out = new double[p.q * n];
        if (n > 0) cost.withProbs(p.logits, b * p.q * p.c, p.boxes, b * p.q * 4, p.q, p.c, tb, probs, n, k, out);
        return out;
    }

    private static Assignment solve(LinearSumAssignment solver, Preds p, int b, double[] c, int n) {
        if (n == 0) return Assignment.empty();
        try {
            return solver.solve(c, p.q, n).toAssignment();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("image " + b + ": " + e.getMessage(), e);
        }
    }

    /** Predictions of a batch as host arrays. */
    private static final class Preds {
        final double[] logits, boxes;
        final int b, q, c;
        final String logitsName, boxesName;

        private Preds(double[] logits, double[] boxes, int b, int q, int c, String logitsName, String boxesName) {
            this.logits = logits;
            this.boxes = boxes;
            this.b = b;
            this.q = q;
            this.c = c;
            this.logitsName = logitsName;
            this.boxesName = boxesName;
        }

        static Preds batch(INDArray logits, INDArray boxes, int expectedImages) {
            HostArrays.requireShape("predLogits", logits, -1, -1, -1);
            HostArrays.requireShape("predBoxes", boxes, logits.size(0), logits.size(1), 4);
            if (expectedImages >= 0 && expectedImages != logits.size(0)) {
                throw new IllegalArgumentException("predictions have " + logits.size(0) + " images, targets "
                        + expectedImages);
            }
            return new Preds(HostArrays.toDoubles(logits), HostArrays.toDoubles(boxes), (int) logits.size(0),
                    (int) logits.size(1), (int) logits.size(2), "predLogits", "predBoxes");
        }

        static Preds single(INDArray logits, INDArray boxes) {
            HostArrays.requireShape("logits", logits, -1, -1);
            HostArrays.requireShape("boxes", boxes, logits.size(0), 4);
            return new Preds(HostArrays.toDoubles(logits), HostArrays.toDoubles(boxes), 1, (int) logits.size(0),
                    (int) logits.size(1), "logits", "boxes");
        }

        /** Finite logits, finite boxes with non-negative width and height, for image {@code img}. */
        void validate(int img) {
            boolean batched = "predLogits".equals(logitsName);
            MatcherInputs.requirePredictions(logitsName, boxesName, logits, boxes, img, batched, q, c);
        }
    }
}
