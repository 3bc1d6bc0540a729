package org.detrdistill.core.box;

import org.detrdistill.core.internal.dl4j.BroadcastSafe;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Box operations as differentiable SameDiff graphs, following facebookresearch/detr {@code util/box_ops.py}
 * (same formulas, same order of floating-point operations).
 *
 * <p>Formats: {@code cxcywh} = (centre x, centre y, width, height); {@code xyxy} = (x0, y0, x1, y1) with
 * {@code x1 >= x0, y1 >= y0}. Coordinates may be normalised or in pixels; all inputs of one call must agree.
 *
 * <p>Degenerate boxes: intersection and enclosing widths/heights are clamped at 0. Two zero-area boxes have union 0,
 * so IoU = 0/0 = NaN, and GIoU is NaN there too (also wherever the enclosing box has zero area), exactly as the
 * reference. The gradients are then NaN as well; keep predicted widths and heights positive (sigmoid outputs are).
 *
 * <p>The pairwise forms never use a two-sided-broadcast {@code max/min} directly: that stock op has a silently wrong
 * gradient (see {@link BroadcastSafe}).
 */
public final class SdBoxOps {
    private SdBoxOps() {
    }

    /** cxcywh -> xyxy as a linear map on row vectors: {@code [cx,cy,w,h] · M = [x0,y0,x1,y1]}. */
    private static final double[][] CXCYWH_TO_XYXY = {
            {1, 0, 1, 0},
            {0, 1, 0, 1},
            {-0.5, 0, 0.5, 0},
            {0, -0.5, 0, 0.5}};
    /** xyxy -> cxcywh: {@code [x0,y0,x1,y1] · M = [cx,cy,w,h]}. */
    private static final double[][] XYXY_TO_CXCYWH = {
            {0.5, 0, -1, 0},
            {0, 0.5, 0, -1},
            {0.5, 0, 1, 0},
            {0, 0.5, 0, 1}};
    /** xyxy -> (w, h). */
    private static final double[][] XYXY_TO_WH = {{-1, 0}, {0, -1}, {1, 0}, {0, 1}};

    /**
     * (cx, cy, w, h) to (x0, y0, x1, y1): {@code x0 = cx - 0.5·w, x1 = cx + 0.5·w}, same for y.
     *
     * @param boxes {@code [..., 4]} cxcywh, any rank, dynamic sizes allowed
     * @return {@code [..., 4]} xyxy
     */
    public static SDVariable cxcywhToXyxy(SameDiff sd, SDVariable boxes) {
        return linearMap(sd, boxes, CXCYWH_TO_XYXY);
    }

    /**
     * (x0, y0, x1, y1) to (cx, cy, w, h): {@code cx = (x0 + x1) / 2, w = x1 - x0}, same for y.
     *
     * @param boxes {@code [..., 4]} xyxy, any rank
     * @return {@code [..., 4]} cxcywh
     */
    public static SDVariable xyxyToCxcywh(SameDiff sd, SDVariable boxes) {
        return linearMap(sd, boxes, XYXY_TO_CXCYWH);
    }

    /**
     * Box area {@code (x1 - x0)·(y1 - y0)} (not clamped, as the reference).
     *
     * @param boxes {@code [N, 4]} xyxy
     * @return {@code [N]}
     */
    public static SDVariable area(SameDiff sd, SDVariable boxes) {
        requireRank2Boxes(boxes, "boxes");
        SDVariable wh = boxes.mmul(sd.constant(Nd4j.createFromArray(XYXY_TO_WH).castTo(boxes.dataType())));
        SDVariable[] c = sd.split(wh, 2, 1);
        return c[0].mul(c[1]).reshape(-1);
    }

    /**
     * {@code reshape(reshape(boxes, [-1,4]) · m, shape(boxes))}. Each output is one sum of exact products (the other
     * products are exact zeros), so it is rounded exactly like the reference's scalar formula.
     */
    private static SDVariable linearMap(SameDiff sd, SDVariable boxes, double[][] m) {
        long[] s = boxes.getShape();
        if (s != null && s.length > 0 && s[s.length - 1] != 4 && s[s.length - 1] != -1) {
            throw new IllegalArgumentException("SdBoxOps: boxes '" + boxes.name() + "' must be [..., 4], got "
                    + Arrays.toString(s));
        }
        SDVariable mat = sd.constant(Nd4j.createFromArray(m).castTo(boxes.dataType()));
        if (s != null && s.length == 2) {
            return boxes.mmul(mat);
        }
        return sd.reshape(boxes.reshape(-1, 4).mmul(mat), sd.shape(boxes));
    }

    /**
     * IoU of corresponding boxes.
     *
     * @param a {@code [N, 4]} xyxy
     * @param b {@code [N, 4]} xyxy
     * @return {@code [N]}: {@code iou[i] = IoU(a[i], b[i])}
     */
    public static SDVariable iou(SameDiff sd, SDVariable a, SDVariable b) {
        return overlap(sd, a, b, false, false);
    }

    /**
     * Generalised IoU of corresponding boxes: {@code IoU - (enclosing - union) / enclosing}.
     *
     * @param a {@code [N, 4]} xyxy
     * @param b {@code [N, 4]} xyxy
     * @return {@code [N]}, in {@code [-1, 1]}
     */
    public static SDVariable giou(SameDiff sd, SDVariable a, SDVariable b) {
        return overlap(sd, a, b, true, false);
    }

    /**
     * IoU of every pair ({@code box_iou}).
     *
     * @param a {@code [N, 4]} xyxy
     * @param b {@code [M, 4]} xyxy
     * @return {@code [N, M]}
     */
    public static SDVariable pairwiseIou(SameDiff sd, SDVariable a, SDVariable b) {
        return overlap(sd, a, b, false, true);
    }

    /**
     * Generalised IoU of every pair ({@code generalized_box_iou}).
     *
     * @param a {@code [N, 4]} xyxy
     * @param b {@code [M, 4]} xyxy
     * @return {@code [N, M]}
     */
    public static SDVariable pairwiseGiou(SameDiff sd, SDVariable a, SDVariable b) {
        return overlap(sd, a, b, true, true);
    }

    /**
     * Shared body: elementwise ({@code [N]}) or pairwise ({@code [N,M]}) IoU or GIoU.
     * Pairwise: columns of {@code a} become {@code [N,1]}, of {@code b} {@code [1,M]}, and every max/min is taken
     * on operands expanded to {@code [N,M]} first.
     */
    private static SDVariable overlap(SameDiff sd, SDVariable a, SDVariable b, boolean generalised, boolean pairwise) {
        requireRank2Boxes(a, "a");
        requireRank2Boxes(b, "b");
        // columns as [N,1] (and [1,M] or [N,1] for b); split, not unstack + expandDims: reshaping the outputs of a
        // multi-output op broke backprop ("no gradient for required variable") in 1.0.0-M2.1
        SDVariable[] p = sd.split(a, 4, 1);
        SDVariable[] q = pairwise ? sd.split(sd.transpose(b), 4, 0) : sd.split(b, 4, 1);
        SDVariable area1 = p[2].sub(p[0]).mul(p[3].sub(p[1]));
        SDVariable area2 = q[2].sub(q[0]).mul(q[3].sub(q[1]));
        SDVariable interW = sd.nn.relu(min(sd, p[2], q[2], pairwise).sub(max(sd, p[0], q[0], pairwise)), 0.0);
        SDVariable interH = sd.nn.relu(min(sd, p[3], q[3], pairwise).sub(max(sd, p[1], q[1], pairwise)), 0.0);
        SDVariable inter = interW.mul(interH);
        SDVariable union = area1.add(area2).sub(inter);
        SDVariable iou = inter.div(union);
        if (!generalised) {
            return pairwise ? iou : iou.reshape(-1);
        }
        SDVariable enclW = sd.nn.relu(max(sd, p[2], q[2], pairwise).sub(min(sd, p[0], q[0], pairwise)), 0.0);
        SDVariable enclH = sd.nn.relu(max(sd, p[3], q[3], pairwise).sub(min(sd, p[1], q[1], pairwise)), 0.0);
        SDVariable encl = enclW.mul(enclH);
        SDVariable giou = iou.sub(encl.sub(union).div(encl));
        return pairwise ? giou : giou.reshape(-1);
    }

    private static SDVariable max(SameDiff sd, SDVariable x, SDVariable y, boolean broadcast) {
        return broadcast ? BroadcastSafe.max(sd, x, y) : sd.math.max(x, y);
    }

    private static SDVariable min(SameDiff sd, SDVariable x, SDVariable y, boolean broadcast) {
        return broadcast ? BroadcastSafe.min(sd, x, y) : sd.math.min(x, y);
    }

    private static void requireRank2Boxes(SDVariable boxes, String what) {
        long[] s = boxes.getShape();
        if (s != null && (s.length != 2 || (s[1] != 4 && s[1] != -1))) {
            throw new IllegalArgumentException("SdBoxOps: " + what + " '" + boxes.name() + "' must be [N, 4] xyxy, got "
                    + (s == null ? "unknown shape" : Arrays.toString(s)));
        }
    }
}
