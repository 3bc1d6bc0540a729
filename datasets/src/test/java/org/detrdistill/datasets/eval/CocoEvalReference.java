package org.detrdistill.datasets.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A deliberately literal, unoptimised re-implementation of pycocotools' COCOeval (bbox) for cross-checking
 * {@link CocoEvaluator}: it follows the structure of {@code evaluate()} / {@code evaluateImg()} / {@code accumulate()}
 * step by step (per (image, category) lists in file order, full T x D match matrices per (category, area, image),
 * per (category, area, maxDet) concatenation over images and a fresh stable sort, precision and recall at every rank,
 * {@code searchsorted} and the try/except stop), with boxed objects and no shortcuts. Shares no code with the evaluator.
 */
final class CocoEvalReference {
    /** One ground-truth annotation as in the instances file. */
    record Ann(long id, long imageId, int categoryId, double[] bbox, double area, boolean crowd) {}

    /** One detection with its loadRes id (1-based position in the results list). */
    private record Det(long id, DetectionResult r) {
        double area() { return r.width() * r.height(); }
    }

    /** evaluateImg's output. */
    private record ImgEval(double[] dtScores, boolean[][] dtMatched, boolean[][] dtIgnore, boolean[] gtIgnore) {}

    final double[] precision;
    final double[] recall;

    CocoEvalReference(List<Long> images, List<Integer> categories, List<Ann> anns, List<DetectionResult> results,
                      CocoEvalParams p) {
        double[] iouThrs = p.iouThresholds().stream().mapToDouble(Double::doubleValue).toArray();
        double[] recThrs = p.recallThresholds().stream().mapToDouble(Double::doubleValue).toArray();
        List<Integer> maxDets = p.maxDets();
        List<AreaRange> areas = p.areaRanges();
        List<Long> imgIds = new ArrayList<>(new TreeSet<>(p.imageIds().isEmpty() ? images : p.imageIds()));
        List<Integer> catIds = new ArrayList<>(new TreeSet<>(p.categoryIds().isEmpty() ? categories : p.categoryIds()));
        // _prepare: group by (image, category) in file order, restricted to the evaluated images and categories
        Map<String, List<Ann>> gts = new HashMap<>();
        for (Ann a : anns) {
            if (images.contains(a.imageId()) && categories.contains(a.categoryId())
                    && imgIds.contains(a.imageId()) && catIds.contains(a.categoryId())) {
                gts.computeIfAbsent(a.imageId() + "/" + a.categoryId(), x -> new ArrayList<>()).add(a);
            }
        }
        Map<String, List<Det>> dts = new HashMap<>();
        for (int i = 0; i < results.size(); i++) {
            DetectionResult r = results.get(i);
            if (imgIds.contains(r.imageId()) && catIds.contains(r.categoryId())) {
                dts.computeIfAbsent(r.imageId() + "/" + r.categoryId(), x -> new ArrayList<>()).add(new Det(i + 1, r));
            }
        }
        int maxDet = maxDets.get(maxDets.size() - 1);
        int nT = iouThrs.length, nR = recThrs.length, nK = catIds.size(), nA = areas.size(), nM = maxDets.size();
        precision = new double[nT * nR * nK * nA * nM];
        recall = new double[nT * nK * nA * nM];
        Arrays.fill(precision, -1);
        Arrays.fill(recall, -1);
        for (int k = 0; k < nK; k++) {
            for (int a = 0; a < nA; a++) {
                List<ImgEval> evals = new ArrayList<>();
                for (long img : imgIds) {
                    String key = img + "/" + catIds.get(k);
                    ImgEval e = evaluateImg(gts.getOrDefault(key, List.of()), dts.getOrDefault(key, List.of()),
                            areas.get(a), maxDet, iouThrs);
                    if (e != null) evals.add(e);
                }
                if (evals.isEmpty()) continue;
                for (int m = 0; m < nM; m++) {
                    int md = maxDets.get(m);
                    // concatenate the first md of each image, then a stable sort by score
                    List<double[]> cat = new ArrayList<>(); // {score, matched[t]..., ignored[t]...}
                    int npig = 0;
                    for (ImgEval e : evals) {
                        for (int d = 0; d < Math.min(md, e.dtScores().length); d++) {
                            double[] row = new double[1 + 2 * nT];
                            row[0] = e.dtScores()[d];
                            for (int t = 0; t < nT; t++) {
                                row[1 + t] = e.dtMatched()[t][d] ? 1 : 0;
                                row[1 + nT + t] = e.dtIgnore()[t][d] ? 1 : 0;
                            }
                            cat.add(row);
                        }
                        for (boolean g : e.gtIgnore()) if (!g) npig++;
                    }
                    if (npig == 0) continue;
                    cat.sort(Comparator.comparingDouble((double[] r) -> -r[0])); // List.sort is stable
                    for (int t = 0; t < nT; t++) {
                        int nd = cat.size();
                        double[] rc = new double[nd], pr = new double[nd];
                        double tp = 0, fp = 0;
                        for (int i = 0; i < nd; i++) {
                            boolean matched = cat.get(i)[1 + t] != 0, ignored = cat.get(i)[1 + nT + t] != 0;
                            if (matched && !ignored) tp++;
                            if (!matched && !ignored) fp++;
                            rc[i] = tp / npig;
                            pr[i] = tp / (fp + tp + Math.ulp(1.0));
                        }
                        recall[((t * nK + k) * nA + a) * nM + m] = nd > 0 ? rc[nd - 1] : 0;
                        for (int i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                        double[] q = new double[nR];
                        for (int r = 0; r < nR; r++) {
                            int idx = 0;
                            while (idx < nd && rc[idx] < recThrs[r]) idx++;
                            if (idx >= nd) break;
                            q[r] = pr[idx];
                        }
                        for (int r = 0; r < nR; r++) precision[(((t * nR + r) * nK + k) * nA + a) * nM + m] = q[r];
                    }
                }
            }
        }
    }

    private static ImgEval evaluateImg(List<Ann> gtIn, List<Det> dtIn, AreaRange rng, int maxDet, double[] iouThrs) {
        if (gtIn.isEmpty() && dtIn.isEmpty()) return null;
        // computeIoU: dt sorted by score (stable), cut at maxDet; IoU matrix against GT in file order
        List<Det> dt = new ArrayList<>(dtIn);
        dt.sort(Comparator.comparingDouble((Det d) -> -d.r().score()));
        if (dt.size() > maxDet) dt = dt.subList(0, maxDet);
        double[][] iousFileOrder = new double[dt.size()][gtIn.size()];
        for (int d = 0; d < dt.size(); d++) {
            for (int g = 0; g < gtIn.size(); g++) iousFileOrder[d][g] = iou(dt.get(d).r(), gtIn.get(g));
        }
        // ignore flags, GT reordered ignored last (stable)
        boolean[] ignFile = new boolean[gtIn.size()];
        for (int g = 0; g < gtIn.size(); g++) {
            Ann x = gtIn.get(g);
            ignFile[g] = x.crowd() || x.area() < rng.min() || x.area() > rng.max();
        }
        List<Integer> gtind = new ArrayList<>();
        for (int g = 0; g < gtIn.size(); g++) if (!ignFile[g]) gtind.add(g);
        for (int g = 0; g < gtIn.size(); g++) if (ignFile[g]) gtind.add(g);
        int nT = iouThrs.length, G = gtind.size(), D = dt.size();
        long[][] gtm = new long[nT][G];
        long[][] dtm = new long[nT][D];
        boolean[][] dtIg = new boolean[nT][D];
        boolean[] gtIg = new boolean[G];
        for (int j = 0; j < G; j++) gtIg[j] = ignFile[gtind.get(j)];
        if (D > 0 && G > 0) {
            for (int t = 0; t < nT; t++) {
                for (int d = 0; d < D; d++) {
                    double best = Math.min(iouThrs[t], 1 - 1e-10);
                    int m = -1;
                    for (int j = 0; j < G; j++) {
                        Ann g = gtIn.get(gtind.get(j));
                        if (gtm[t][j] > 0 && !g.crowd()) continue;
                        if (m > -1 && !gtIg[m] && gtIg[j]) break;
                        double v = iousFileOrder[d][gtind.get(j)];
                        if (v < best) continue;
                        best = v;
                        m = j;
                    }
                    if (m == -1) continue;
                    dtIg[t][d] = gtIg[m];
                    dtm[t][d] = gtIn.get(gtind.get(m)).id();
                    gtm[t][m] = dt.get(d).id();
                }
            }
        }
        boolean[][] matched = new boolean[nT][D];
        for (int t = 0; t < nT; t++) {
            for (int d = 0; d < D; d++) {
                double ar = dt.get(d).area();
                boolean outside = ar < rng.min() || ar > rng.max();
                matched[t][d] = dtm[t][d] != 0;
                dtIg[t][d] = dtIg[t][d] || (dtm[t][d] == 0 && outside);
            }
        }
        double[] scores = dt.stream().mapToDouble(d -> d.r().score()).toArray();
        return new ImgEval(scores, matched, dtIg, gtIg);
    }

    /** bbIou of maskApi.c, written from its definition. */
    private static double iou(DetectionResult d, Ann g) {
        double[] b = g.bbox();
        double w = Math.min(d.x() + d.width(), b[0] + b[2]) - Math.max(d.x(), b[0]);
        double h = Math.min(d.y() + d.height(), b[1] + b[3]) - Math.max(d.y(), b[1]);
        if (w <= 0 || h <= 0) return 0;
        double inter = w * h;
        double da = d.width() * d.height();
        return inter / (g.crowd() ? da : da + b[2] * b[3] - inter);
    }
}
