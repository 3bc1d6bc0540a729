package org.detrdistill.datasets.eval;

import java.util.Arrays;

/**
 * Evaluates one category over all selected images and accumulates its precision/recall, as pycocotools'
 * {@code evaluate} + {@code accumulate} do for one K index, with primitive arrays reused across categories.
 *
 * <p>Accumulation: the evaluated detections of all images (each image's top {@code maxDet}) are ordered by score,
 * highest first, ties by ascending image id and then by their order within the image (NumPy's stable mergesort over
 * the images concatenated in ascending id order). Ignored detections keep their place but count as neither TP nor FP.
 * With {@code npig} the number of non-ignored GTs: recall = TP/npig, precision = TP/(TP+FP+2^-52); precision is made
 * non-increasing from the right, and sampled at each recall threshold r at the first rank whose recall is >= r
 * (0 beyond the last). The final recall goes to the recall array. Settings with {@code npig = 0} stay -1.
 *
 * <p>Only the ranks of true positives are computed: recall rises only there, so every recall threshold above 0 is
 * first reached at a true positive, and precision only falls along a run of false or ignored detections (IEEE division
 * is monotonic), so the running maximum from the right is always attained at a true positive. The threshold 0, reached
 * at rank 0 in pycocotools, gets the maximum over all ranks, which is again a true positive's value (or 0 without any).
 * This gives the same bits as evaluating every rank, with two divisions per true positive instead of per detection.
 *
 * <p>Sorting once for the largest {@code maxDet} is enough: the order for a smaller cap is the same order restricted to
 * the detections ranked below that cap in their image, since a stable sort keeps the relative order of any subset.
 */
final class CategoryEvaluator {
    private final double[] recThr;
    private final int[] maxDets;
    private final int nT, nR, nA, nM;
    private final ImageMatcher matcher;
    private final boolean[] imageSelected;

    private int[] kept = new int[1024];
    private int[] rank = new int[1024];
    private int[] perm = new int[1024];
    private int[] pos = new int[1024];
    private int[] rankAtPos = new int[1024];
    private byte[] states = new byte[1];
    private double[] rc = new double[1024];
    private double[] pr = new double[1024];
    private final long[] npig;

    /**
     * @param imageSelected per image index of the ground truth, whether it is evaluated ({@code null} = all)
     */
    CategoryEvaluator(double[] iouThr, double[] recThr, int[] maxDets, AreaRange[] areas, boolean[] imageSelected) {
        this.recThr = recThr.clone();
        this.maxDets = maxDets.clone();
        this.nT = iouThr.length;
        this.nR = recThr.length;
        this.nA = areas.length;
        this.nM = maxDets.length;
        this.matcher = new ImageMatcher(iouThr, areas);
        this.imageSelected = imageSelected;
        this.npig = new long[nA];
    }

    /**
     * Evaluates ground-truth category index {@code ci} and writes its slice k of {@code precision [T,R,K,A,M]} and
     * {@code recall [T,K,A,M]} (flat, C order, pre-filled with -1).
     */
    void evaluate(CocoGroundTruth gt, CocoDetections dt, int ci, int k, int nK, double[] precision, double[] recall) {
        int maxDet = maxDets[nM - 1];
        int[] gtIdx = gt.byCategory;
        int gFrom = gt.catStart[ci], gTo = gt.catStart[ci + 1];
        int[] dtIdx = dt.byCategory;
        int dFrom = dt.catStart[ci], dTo = dt.catStart[ci + 1];

        // 1. the evaluated detections (top maxDet of each selected image), in (image, rank) order
        int n = 0;
        ensureDetections(dTo - dFrom);
        for (int s = dFrom; s < dTo; ) {
            int im = dt.image[dtIdx[s]];
            int e = s + 1;
            while (e < dTo && dt.image[dtIdx[e]] == im) e++;
            if (imageSelected == null || imageSelected[im]) {
                int take = Math.min(e - s, maxDet);
                for (int r = 0; r < take; r++) {
                    kept[n] = dtIdx[s + r];
                    rank[n] = r;
                    n++;
                }
            }
            s = e;
        }
        // 2. global order: score descending, ties keep (image, rank) order; pos = rank in that order
        for (int p = 0; p < n; p++) perm[p] = p;
        sortByScore(dt.score, n);
        for (int p = 0; p < n; p++) {
            pos[perm[p]] = p;
            rankAtPos[p] = rank[perm[p]];
        }
        int size = nA * nT * n;
        if (states.length < size) states = new byte[Math.max(size, 2 * states.length)];

        // 3. match image by image (images with GT or detections of this category, ascending)
        Arrays.fill(npig, 0);
        int g = gFrom, p = 0;
        while (g < gTo || p < n) {
            int gIm = g < gTo ? gt.annImage[gtIdx[g]] : Integer.MAX_VALUE;
            int dIm = p < n ? dt.image[kept[p]] : Integer.MAX_VALUE;
            int im = Math.min(gIm, dIm);
            int ge = g;
            while (ge < gTo && gt.annImage[gtIdx[ge]] == im) ge++;
            int pe = p;
            while (pe < n && dt.image[kept[pe]] == im) pe++;
            if (imageSelected == null || imageSelected[im]) {
                matcher.match(gt, gtIdx, g, ge, dt, kept, p, pe, pos, states, n, npig);
            }
            g = ge;
            p = pe;
        }

        // 4. accumulate
        for (int a = 0; a < nA; a++) {
            if (npig[a] == 0) continue;
            double np = npig[a];
            for (int m = 0; m < nM; m++) {
                int cap = maxDets[m];
                for (int t = 0; t < nT; t++) {
                    int row = (a * nT + t) * n;
                    // precision/recall only at the true positives: see the class comment
                    long tp = 0, fp = 0;
                    int c = 0;
                    for (int q = 0; q < n; q++) {
                        if (rankAtPos[q] >= cap) continue;
                        byte st = states[row + q];
                        if (st == ImageMatcher.TRUE_POSITIVE) {
                            tp++;
                            double tpd = tp;
                            rc[c] = tpd / np;
                            pr[c] = tpd / ((double) fp + tpd + NumpyCompat.SPACING_1);
                            c++;
                        } else if (st == ImageMatcher.FALSE_POSITIVE) {
                            fp++;
                        }
                    }
                    recall[((t * nK + k) * nA + a) * nM + m] = c > 0 ? rc[c - 1] : 0;
                    for (int i = c - 1; i > 0; i--) {
                        if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                    }
                    for (int r = 0; r < nR; r++) {
                        int at = searchLeft(rc, c, recThr[r]);
                        int idx = (((t * nR + r) * nK + k) * nA + a) * nM + m;
                        if (at >= c) {
                            // pycocotools stops at the first threshold beyond the last rank: the rest stay 0
                            for (int r2 = r; r2 < nR; r2++) precision[idx + (r2 - r) * nK * nA * nM] = 0;
                            break;
                        }
                        precision[idx] = pr[at];
                    }
                }
            }
        }
    }

    /** NumPy's {@code searchsorted(v[0:n], x, side='left')} for non-decreasing {@code v}: first i with v[i] >= x. */
    private static int searchLeft(double[] v, int n, double x) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void sortByScore(double[] score, int n) {
        // perm holds positions into kept[]; sort by score of kept[perm[i]] descending, stably
        double[] key = keyScratch(n);
        for (int p = 0; p < n; p++) key[p] = score[kept[p]];
        StableSort.byDescendingKey(perm, 0, n, key);
    }

    private double[] keyBuffer = new double[1024];

    private double[] keyScratch(int n) {
        if (keyBuffer.length < n) keyBuffer = new double[Math.max(n, 2 * keyBuffer.length)];
        return keyBuffer;
    }

    private void ensureDetections(int n) {
        if (kept.length >= n) return;
        int cap = Math.max(n, 2 * kept.length);
        kept = new int[cap];
        rank = new int[cap];
        perm = new int[cap];
        pos = new int[cap];
        rankAtPos = new int[cap];
        rc = new double[cap];
        pr = new double[cap];
    }
}
