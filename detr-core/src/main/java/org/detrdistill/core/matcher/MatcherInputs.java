package org.detrdistill.core.matcher;

import org.detrdistill.core.box.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Validation of the matcher's inputs, with messages that name the argument, image and entry. Package-private: the
 * matcher calls it before computing costs so that a NaN never reaches the assignment solver unexplained.
 */
final class MatcherInputs {
    private MatcherInputs() {}

    /**
     * {@code boxes [n,4]} cxcywh as a host array, checked finite with non-negative width and height.
     *
     * @param name e.g. {@code targets[1]}
     */
    static double[] targetBoxes(String name, INDArray boxes, int n) {
        if (boxes == null) throw new IllegalArgumentException(name + ".boxes is null");
        HostArrays.requireShape(name + ".boxes", boxes, n, 4);
        double[] d = HostArrays.toDoubles(boxes);
        for (int j = 0; j < n; j++) {
            if (!validBox(d, 4 * j)) {
                throw new IllegalArgumentException(name + ".boxes row " + j + " is not a valid cxcywh box (finite, "
                        + "w >= 0, h >= 0): " + box(d, 4 * j));
            }
        }
        return d;
    }

    /** {@code probs [n,K]} as a host array, checked to lie in [0,1]. */
    static double[] probabilities(String name, INDArray probs) {
        double[] d = HostArrays.toDoubles(probs);
        int k = (int) probs.size(1);
        for (int i = 0; i < d.length; i++) {
            if (!(d[i] >= 0 && d[i] <= 1)) {
                throw new IllegalArgumentException(name + " probs[" + i / k + ", " + i % k + "] = " + d[i]
                        + " is not a probability in [0,1]");
            }
        }
        return d;
    }

    /**
     * Checks image {@code img} of the predictions: finite logits {@code [Q,C]}, finite cxcywh boxes {@code [Q,4]}
     * with non-negative width and height.
     *
     * @param batched whether to name entries with the image index ({@code predLogits[b, q, c]})
     */
    static void requirePredictions(String logitsName, String boxesName, double[] logits, double[] boxes,
                                   int img, boolean batched, int q, int c) {
        String prefix = batched ? img + ", " : "";
        int lOff = img * q * c;
        for (int i = 0; i < q * c; i++) {
            double x = logits[lOff + i];
            if (!(Math.abs(x) < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(logitsName + "[" + prefix + i / c + ", " + i % c + "] = " + x
                        + ": logits must be finite");
            }
        }
        int bOff = img * q * 4;
        for (int i = 0; i < q; i++) {
            if (!validBox(boxes, bOff + 4 * i)) {
                throw new IllegalArgumentException(boxesName + "[" + prefix + i + "] is not a valid cxcywh box "
                        + "(finite, w >= 0, h >= 0): " + box(boxes, bOff + 4 * i));
            }
        }
    }

    private static boolean validBox(double[] d, int k) {
        return Math.abs(d[k]) < Double.POSITIVE_INFINITY && Math.abs(d[k + 1]) < Double.POSITIVE_INFINITY
                && d[k + 2] >= 0 && d[k + 2] < Double.POSITIVE_INFINITY
                && d[k + 3] >= 0 && d[k + 3] < Double.POSITIVE_INFINITY;
    }

    private static String box(double[] d, int k) {
        return "[" + d[k] + ", " + d[k + 1] + ", " + d[k + 2] + ", " + d[k + 3] + "]";
    }
}
