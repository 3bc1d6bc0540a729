package org.detrdistill.core.box;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plain Java box operations, the host-side counterpart of facebookresearch/detr {@code util/box_ops.py}.
 *
 * <p>Two layers:
 * <ul>
 *   <li>primitive kernels on flat row-major {@code double[]} boxes ({@code [n*4]}, box {@code i} at
 *       {@code 4*i..4*i+3}) that write into caller-owned output arrays and allocate nothing: the matcher calls
 *       them every training step;</li>
 *   <li>{@link INDArray} wrappers taking {@code [N,4]} arrays (any order, views allowed). They compute in double
 *       and return DOUBLE when an input is DOUBLE, FLOAT otherwise.</li>
 * </ul>
 * Formats: {@code cxcywh} = (centre x, centre y, width, height); {@code xyxy} = (x0, y0, x1, y1) with
 * {@code x1 >= x0, y1 >= y0}. The arithmetic follows the reference exactly, including its NaN results: two
 * zero-area boxes have union 0 and IoU {@code 0/0 = NaN}; GIoU is NaN there and wherever the enclosing box has zero
 * area. The GIoU methods reject boxes with {@code x1 < x0} or {@code y1 < y0} (or NaN), as the reference asserts.
 */
public final class BoxOps {
    private BoxOps() {}

    /** IoU and union of every pair. @param iou {@code [N,M]} @param union {@code [N,M]} area1 + area2 - inter */
    public record IouAndUnion(INDArray iou, INDArray union) {}

    // ---------------------------------------------------------------- primitive kernels

    /** {@code dst[n*4] xyxy = src[n*4] cxcywh}; {@code dst} may be {@code src}. */
    public static void cxcywhToXyxy(double[] src, double[] dst, int n) {
        for (int k = 0; k < 4 * n; k += 4) {
            double cx = src[k], cy = src[k + 1], w = src[k + 2], h = src[k + 3];
            dst[k] = cx - 0.5 * w;
            dst[k + 1] = cy - 0.5 * h;
            dst[k + 2] = cx + 0.5 * w;
            dst[k + 3] = cy + 0.5 * h;
        }
    }

    /** {@code dst[n*4] cxcywh = src[n*4] xyxy}; {@code dst} may be {@code src}. */
    public static void xyxyToCxcywh(double[] src, double[] dst, int n) {
        for (int k = 0; k < 4 * n; k += 4) {
            double x0 = src[k], y0 = src[k + 1], x1 = src[k + 2], y1 = src[k + 3];
            dst[k] = (x0 + x1) / 2;
            dst[k + 1] = (y0 + y1) / 2;
            dst[k + 2] = x1 - x0;
            dst[k + 3] = y1 - y0;
        }
    }

    /** {@code out[n] = (x1 - x0) * (y1 - y0)} of {@code xyxy[n*4]}. */
    public static void area(double[] xyxy, double[] out, int n) {
        for (int i = 0, k = 0; i < n; i++, k += 4) out[i] = (xyxy[k + 2] - xyxy[k]) * (xyxy[k + 3] - xyxy[k + 1]);
    }

    /**
     * Pairwise IoU of {@code a[n*4]} and {@code b[m*4]} (xyxy) into {@code iou[n*m]} (row-major, {@code [n,m]}),
     * and the union into {@code union[n*m]} unless it is {@code null}.
     */
    public static void pairwiseIou(double[] a, int n, double[] b, int m, double[] iou, double[] union) {
        for (int i = 0; i < n; i++) {
            int ka = 4 * i;
            double ax0 = a[ka], ay0 = a[ka + 1], ax1 = a[ka + 2], ay1 = a[ka + 3];
            double areaA = (ax1 - ax0) * (ay1 - ay0);
            int row = i * m;
            for (int j = 0; j < m; j++) {
                int kb = 4 * j;
                double bx0 = b[kb], by0 = b[kb + 1], bx1 = b[kb + 2], by1 = b[kb + 3];
                double areaB = (bx1 - bx0) * (by1 - by0);
                double inter = clamp0(Math.min(ax1, bx1) - Math.max(ax0, bx0))
                        * clamp0(Math.min(ay1, by1) - Math.max(ay0, by0));
                double u = areaA + areaB - inter;
                iou[row + j] = inter / u;
                if (union != null) union[row + j] = u;
            }
        }
    }

    /**
     * Pairwise generalized IoU of {@code a[n*4]} and {@code b[m*4]} (xyxy) into {@code out[n*m]} ({@code [n,m]}).
     *
     * @throws IllegalArgumentException if a box has {@code x1 < x0}, {@code y1 < y0} or a NaN coordinate
     */
    public static void pairwiseGiou(double[] a, int n, double[] b, int m, double[] out) {
        requireValidXyxy("boxes1", a, n);
        requireValidXyxy("boxes2", b, m);
        for (int i = 0; i < n; i++) {
            int ka = 4 * i;
            double ax0 = a[ka], ay0 = a[ka + 1], ax1 = a[ka + 2], ay1 = a[ka + 3];
            double areaA = (ax1 - ax0) * (ay1 - ay0);
            int row = i * m;
            for (int j = 0; j < m; j++) {
                int kb = 4 * j;
                out[row + j] = giou(ax0, ay0, ax1, ay1, areaA, b[kb], b[kb + 1], b[kb + 2], b[kb + 3]);
            }
        }
    }

    /** Elementwise IoU of the pairs {@code (a[i], b[i])}, {@code i < n}, into {@code out[n]}. */
    public static void elementwiseIou(double[] a, double[] b, int n, double[] out) {
        for (int i = 0, k = 0; i < n; i++, k += 4) {
            double areaA = (a[k + 2] - a[k]) * (a[k + 3] - a[k + 1]);
            double areaB = (b[k + 2] - b[k]) * (b[k + 3] - b[k + 1]);
            double inter = clamp0(Math.min(a[k + 2], b[k + 2]) - Math.max(a[k], b[k]))
                    * clamp0(Math.min(a[k + 3], b[k + 3]) - Math.max(a[k + 1], b[k + 1]));
            out[i] = inter / (areaA + areaB - inter);
        }
    }

    /**
     * Elementwise generalized IoU of the pairs {@code (a[i], b[i])}, {@code i < n}, into {@code out[n]}.
     *
     * @throws IllegalArgumentException if a box has {@code x1 < x0}, {@code y1 < y0} or a NaN coordinate
     */
    public static void elementwiseGiou(double[] a, double[] b, int n, double[] out) {
        requireValidXyxy("boxes1", a, n);
        requireValidXyxy("boxes2", b, n);
        for (int i = 0, k = 0; i < n; i++, k += 4) {
            double areaA = (a[k + 2] - a[k]) * (a[k + 3] - a[k + 1]);
            out[i] = giou(a[k], a[k + 1], a[k + 2], a[k + 3], areaA, b[k], b[k + 1], b[k + 2], b[k + 3]);
        }
    }

    /**
     * Checks {@code x1 >= x0} and {@code y1 >= y0} (hence no NaN) for each of the {@code n} boxes of {@code xyxy}.
     *
     * @param name argument name for the message
     */
    public static void requireValidXyxy(String name, double[] xyxy, int n) {
        for (int i = 0, k = 0; i < n; i++, k += 4) {
            if (!(xyxy[k + 2] >= xyxy[k] && xyxy[k + 3] >= xyxy[k + 1])) {
                throw new IllegalArgumentException(name + " row " + i + " is not a valid xyxy box (needs x1 >= x0, "
                        + "y1 >= y0, no NaN): [" + xyxy[k] + ", " + xyxy[k + 1] + ", " + xyxy[k + 2] + ", "
                        + xyxy[k + 3] + "]");
            }
        }
    }

    private static double giou(double ax0, double ay0, double ax1, double ay1, double areaA,
                               double bx0, double by0, double bx1, double by1) {
        double areaB = (bx1 - bx0) * (by1 - by0);
        double inter = clamp0(Math.min(ax1, bx1) - Math.max(ax0, bx0))
                * clamp0(Math.min(ay1, by1) - Math.max(ay0, by0));
        double union = areaA + areaB - inter;
        double iou = inter / union;
        double enclosing = clamp0(Math.max(ax1, bx1) - Math.min(ax0, bx0))
                * clamp0(Math.max(ay1, by1) - Math.min(ay0, by0));
        return iou - (enclosing - union) / enclosing;
    }

    /** {@code max(x, 0)} that keeps NaN, like {@code torch.clamp(min=0)}. */
    private static double clamp0(double x) {
        return x < 0 ? 0 : x;
    }

    // ---------------------------------------------------------------- INDArray wrappers

    /** {@code [N,4] cxcywh -> [N,4] xyxy} (same floating type: DOUBLE stays DOUBLE, else FLOAT). */
    public static INDArray cxcywhToXyxy(INDArray boxes) {
        int n = rows("boxes", boxes);
        double[] d = HostArrays.toDoubles(boxes);
        cxcywhToXyxy(d, d, n);
        return HostArrays.of(d, HostArrays.resultType(boxes, null), n, 4);
    }

    /** {@code [N,4] xyxy -> [N,4] cxcywh} (same floating type: DOUBLE stays DOUBLE, else FLOAT). */
    public static INDArray xyxyToCxcywh(INDArray boxes) {
        int n = rows("boxes", boxes);
        double[] d = HostArrays.toDoubles(boxes);
        xyxyToCxcywh(d, d, n);
        return HostArrays.of(d, HostArrays.resultType(boxes, null), n, 4);
    }

    /** {@code [N,4] xyxy -> [N]} areas. */
    public static INDArray area(INDArray boxes) {
        int n = rows("boxes", boxes);
        double[] out = new double[n];
        area(HostArrays.toDoubles(boxes), out, n);
        return HostArrays.of(out, HostArrays.resultType(boxes, null), n);
    }

    /** Pairwise IoU and union of {@code boxes1 [N,4]} and {@code boxes2 [M,4]} (xyxy): both {@code [N,M]}. */
    public static IouAndUnion iouAndUnion(INDArray boxes1, INDArray boxes2) {
        int n = rows("boxes1", boxes1), m = rows("boxes2", boxes2);
        double[] iou = new double[n * m], union = new double[n * m];
        pairwiseIou(HostArrays.toDoubles(boxes1), n, HostArrays.toDoubles(boxes2), m, iou, union);
        var t = HostArrays.resultType(boxes1, boxes2);
        return new IouAndUnion(HostArrays.of(iou, t, n, m), HostArrays.of(union, t, n, m));
    }

    /** Pairwise IoU {@code [N,M]} of {@code boxes1 [N,4]} and {@code boxes2 [M,4]} (xyxy). */
    public static INDArray iou(INDArray boxes1, INDArray boxes2) {
        return iouAndUnion(boxes1, boxes2).iou();
    }

    /** Pairwise generalized IoU {@code [N,M]} of {@code boxes1 [N,4]} and {@code boxes2 [M,4]} (xyxy). */
    public static INDArray giou(INDArray boxes1, INDArray boxes2) {
        int n = rows("boxes1", boxes1), m = rows("boxes2", boxes2);
        double[] out = new double[n * m];
        pairwiseGiou(HostArrays.toDoubles(boxes1), n, HostArrays.toDoubles(boxes2), m, out);
        return HostArrays.of(out, HostArrays.resultType(boxes1, boxes2), n, m);
    }

    /** Elementwise IoU {@code [N]} of the rows of {@code boxes1 [N,4]} and {@code boxes2 [N,4]} (xyxy). */
    public static INDArray elementwiseIou(INDArray boxes1, INDArray boxes2) {
        int n = sameRows(boxes1, boxes2);
        double[] out = new double[n];
        elementwiseIou(HostArrays.toDoubles(boxes1), HostArrays.toDoubles(boxes2), n, out);
        return HostArrays.of(out, HostArrays.resultType(boxes1, boxes2), n);
    }

    /** Elementwise generalized IoU {@code [N]} of the rows of {@code boxes1 [N,4]} and {@code boxes2 [N,4]} (xyxy). */
    public static INDArray elementwiseGiou(INDArray boxes1, INDArray boxes2) {
        int n = sameRows(boxes1, boxes2);
        double[] out = new double[n];
        elementwiseGiou(HostArrays.toDoubles(boxes1), HostArrays.toDoubles(boxes2), n, out);
        return HostArrays.of(out, HostArrays.resultType(boxes1, boxes2), n);
    }

    private static int rows(String name, INDArray boxes) {
        HostArrays.requireShape(name, boxes, -1, 4);
        return (int) boxes.size(0);
    }

    private static int sameRows(INDArray boxes1, INDArray boxes2) {
        int n = rows("boxes1", boxes1), m = rows("boxes2", boxes2);
        if (n != m) throw new IllegalArgumentException("boxes1 [" + n + ",4] and boxes2 [" + m + ",4] differ in rows");
        return n;
    }
}
