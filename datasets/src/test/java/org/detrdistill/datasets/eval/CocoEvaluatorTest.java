package org.detrdistill.datasets.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of {@link CocoEvaluator} on small cases whose results are worked out by hand. */
class CocoEvaluatorTest {
    private static final double EPS = Math.ulp(1.0);

    private static CocoEvaluation eval(CocoGroundTruth gt, List<DetectionResult> dets) {
        return new CocoEvaluator().evaluate(gt, CocoDetections.of(dets, gt));
    }

    private static DetectionResult det(long img, int cat, double x, double y, double w, double h, double score) {
        return new DetectionResult(img, cat, x, y, w, h, score);
    }

    @Test
    void perfectDetectionsGiveApAndArOne() {
        CocoGroundTruth gt = CocoGroundTruth.builder("perfect").addImage(1).addImage(2).addCategory(1)
                .addAnnotation(1, 1, 1, 10, 10, 100, 100, 10000, false)
                .addAnnotation(2, 2, 1, 50, 60, 120, 110, 13200, false).build();
        CocoEvaluation ev = eval(gt, List.of(det(1, 1, 10, 10, 100, 100, 0.9), det(2, 1, 50, 60, 120, 110, 0.8)));
        CocoStats s = ev.stats();
        // all objects are large: small/medium have no GT (-1); precision 1/(1+eps) at every recall threshold
        double p = 1 / (1 + EPS);
        assertEquals(p, s.ap(), 1e-15);
        assertEquals(p, s.ap50(), 1e-15);
        assertEquals(-1, s.apSmall());
        assertEquals(-1, s.apMedium());
        assertEquals(p, s.apLarge(), 1e-15);
        assertEquals(1.0, s.ar1());
        assertEquals(1.0, s.ar100());
        assertEquals(-1, s.arSmall());
        assertEquals(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000",
                ev.summary().lines().findFirst().orElseThrow());
        assertTrue(ev.summary().contains("area= small | maxDets=100 ] = -1.000\n"));
    }

    @Test
    void crowdRegionAbsorbsAnyNumberOfDetectionsWhichAreIgnored() {
        // one normal GT and one crowd region; three detections inside the crowd region, one on the GT
        CocoGroundTruth gt = CocoGroundTruth.builder("crowd").addImage(1).addCategory(1)
                .addAnnotation(1, 1, 1, 0, 0, 50, 50, 2500, false)
                .addAnnotation(2, 1, 1, 200, 200, 200, 200, 40000, true).build();
        List<DetectionResult> dets = List.of(
                det(1, 1, 210, 210, 40, 40, 0.95),   // inside the crowd: IoU with crowd = inter/det area = 1
                det(1, 1, 300, 300, 50, 50, 0.94),
                det(1, 1, 150, 150, 100, 100, 0.93), // half inside: 2500/10000 = 0.25 < 0.5 -> false positive
                det(1, 1, 0, 0, 50, 50, 0.5));
        CocoEvaluation ev = eval(gt, dets);
        // ranks: ignored, ignored, FP, TP -> precision at the TP = 1/(1+1+eps); recall 1 at every IoU threshold
        double p = 1 / (2 + EPS);
        assertEquals(p, ev.stats().ap50(), 1e-15);
        assertEquals(1.0, ev.stats().ar100());
        // a crowd GT is not counted: npig = 1
        assertEquals(1.0, ev.recall(0, 0, 0, 2));
    }

    @Test
    void areaFieldDecidesTheRangeAndBoundariesBelongToBothRanges() {
        // box is 40x40 = 1600 but the area field says exactly 1024 = 32^2: small AND medium
        CocoGroundTruth gt = CocoGroundTruth.builder("areas").addImage(1).addCategory(1)
                .addAnnotation(1, 1, 1, 0, 0, 40, 40, 1024, false).build();
        CocoEvaluation ev = eval(gt, List.of(det(1, 1, 0, 0, 40, 40, 0.9)));
        assertEquals(1.0, ev.stats().arSmall());
        assertEquals(1.0, ev.stats().arMedium());
        assertEquals(-1, ev.stats().arLarge());
        // the detection (1600 px^2) is outside "small" but matched, so it counts there as a TP
        assertEquals(1 / (1 + EPS), ev.stats().apSmall(), 1e-15);
    }

    @Test
    void unmatchedDetectionOutsideTheAreaRangeIsIgnored() {
        CocoGroundTruth gt = CocoGroundTruth.builder("range").addImage(1).addCategory(1)
                .addAnnotation(1, 1, 1, 0, 0, 20, 20, 400, false).build();
        List<DetectionResult> dets = List.of(
                det(1, 1, 300, 300, 100, 100, 0.99), // large false positive: ignored for "small", FP for "all"
                det(1, 1, 0, 0, 20, 20, 0.5));
        CocoEvaluation ev = eval(gt, dets);
        assertEquals(1 / (1 + EPS), ev.stats().apSmall(), 1e-15);
        assertEquals(1 / (2 + EPS), ev.stats().ap(), 1e-15);
    }

    @Test
    void scoreTiesAcrossImagesAreOrderedByAscendingImageIdNotFileOrder() {
        CocoGroundTruth gt = CocoGroundTruth.builder("ties").addImage(1).addImage(2).addCategory(1)
                .addAnnotation(1, 1, 1, 0, 0, 100, 100, 10000, false)
                .addAnnotation(2, 2, 1, 0, 0, 100, 100, 10000, false).build();
        // file order: image 2's TP first, image 1's FP second, same score
        List<DetectionResult> dets = List.of(det(2, 1, 0, 0, 100, 100, 0.5), det(1, 1, 300, 300, 100, 100, 0.5));
        CocoEvaluation ev = eval(gt, dets);
        // accumulated order is image 1 (FP) then image 2 (TP): precision 1/(2+eps) up to recall 0.5, then 0
        double p = 1 / (2 + EPS);
        assertEquals(p, ev.precision(0, 50, 0, 0, 2));
        assertEquals(0.0, ev.precision(0, 51, 0, 0, 2));
        assertEquals(51 * p / 101, ev.stats().ap50(), 1e-15);
    }

    @Test
    void equalIouToTwoGroundTruthsGoesToTheLaterOne() {
        // detection 1 overlaps both GTs with IoU 150/250 = 0.6; the later GT (id 2) wins, so detection 2, exactly on
        // GT 1, is still a TP. Had GT 1 won, detection 2 would only have GT 2 left, IoU 100/300 < 0.5: recall 0.5.
        CocoGroundTruth gt = CocoGroundTruth.builder("equal").addImage(1).addCategory(1)
                .addAnnotation(1, 1, 1, 0, 0, 20, 10, 200, false)
                .addAnnotation(2, 1, 1, 10, 0, 20, 10, 200, false).build();
        List<DetectionResult> dets = List.of(det(1, 1, 5, 0, 20, 10, 0.9), det(1, 1, 0, 0, 20, 10, 0.8));
        CocoEvalParams params = CocoEvalParams.builder().iouThresholds(0.5).build();
        CocoEvaluation ev = new CocoEvaluator(params).evaluate(gt, CocoDetections.of(dets, gt));
        assertEquals(1.0, ev.recall(0, 0, 0, 2));
    }

    @Test
    void maxDetsCapsDetectionsPerImageAndCategory() {
        CocoGroundTruth gt = CocoGroundTruth.builder("cap").addImage(1).addCategory(1)
                .addAnnotation(1, 1, 1, 0, 0, 100, 100, 10000, false).build();
        // the only TP is ranked 2nd: found with maxDets 10 and 100, not with 1
        List<DetectionResult> dets = List.of(det(1, 1, 300, 300, 50, 50, 0.9), det(1, 1, 0, 0, 100, 100, 0.8));
        CocoStats s = eval(gt, dets).stats();
        assertEquals(0.0, s.ar1());
        assertEquals(1.0, s.ar10());
        assertEquals(1.0, s.ar100());
    }

    @Test
    void annotationIdZeroCountsAsUnmatchedLikePycocotools() {
        // pycocotools marks a match by the GT's id and tests it for non-zero: a match to id 0 is a false positive
        CocoGroundTruth gt = CocoGroundTruth.builder("id0").addImage(1).addCategory(1)
                .addAnnotation(0, 1, 1, 0, 0, 100, 100, 10000, false).build();
        CocoEvaluation ev = eval(gt, List.of(det(1, 1, 0, 0, 100, 100, 0.9)));
        assertEquals(0.0, ev.stats().ap());
        assertEquals(0.0, ev.stats().ar100());
    }

    @Test
    void emptyResultsGiveZeroWhereThereIsGroundTruthAndMinusOneElsewhere() {
        CocoGroundTruth gt = CocoGroundTruth.builder("empty").addImage(1).addCategory(1).addCategory(2)
                .addAnnotation(1, 1, 1, 0, 0, 100, 100, 10000, false).build();
        CocoEvaluation ev = eval(gt, List.of());
        assertEquals(0.0, ev.stats().ap());
        assertEquals(-1, ev.stats().apSmall());
        assertEquals(0.0, ev.categoryAp(1));
        assertEquals(-1, ev.categoryAp(2));
        assertEquals(-1, ev.precision(0, 0, 1, 0, 2));
        assertEquals(-1, ev.recall(0, 1, 0, 2));
    }

    @Test
    void perCategoryApIsTheMeanOfThatCategorysPrecisionSlice() {
        CocoGroundTruth gt = CocoGroundTruth.builder("percat").addImage(1).addImage(2).addCategory(3).addCategory(7)
                .addAnnotation(1, 1, 3, 0, 0, 100, 100, 10000, false)
                .addAnnotation(2, 2, 3, 0, 0, 100, 100, 10000, false)
                .addAnnotation(3, 1, 7, 200, 200, 50, 50, 2500, false).build();
        List<DetectionResult> dets = List.of(det(1, 3, 0, 0, 100, 100, 0.9), det(2, 3, 0, 0, 80, 100, 0.8),
                det(1, 7, 300, 300, 50, 50, 0.7), det(1, 7, 205, 200, 50, 50, 0.6));
        CocoEvaluation ev = eval(gt, dets);
        assertEquals(List.of(3, 7), ev.perCategory().stream().map(CategoryAp::categoryId).toList());
        for (int k = 0; k < 2; k++) {
            double sum = 0;
            for (int t = 0; t < 10; t++) for (int r = 0; r < 101; r++) sum += ev.precision(t, r, k, 0, 2);
            assertEquals(sum / 1010, ev.perCategory().get(k).ap(), 1e-12);
            double sum50 = 0;
            for (int r = 0; r < 101; r++) sum50 += ev.precision(0, r, k, 0, 2);
            assertEquals(sum50 / 101, ev.perCategory().get(k).ap50(), 1e-12);
        }
        // category 3: second detection IoU 0.8 -> TP up to threshold 0.8; category 7: IoU 45/55 = 0.818 after an FP
        assertTrue(ev.categoryAp(3) > ev.categoryAp(7));
        assertThrows(IllegalArgumentException.class, () -> ev.categoryAp(5));
    }

    @Test
    void statsAndSummaryNeedThreeMaxDetsButArraysAreAvailable() {
        CocoGroundTruth gt = CocoGroundTruth.builder("m2").addImage(1).addCategory(1)
                .addAnnotation(1, 1, 1, 0, 0, 100, 100, 10000, false).build();
        CocoEvalParams params = CocoEvalParams.builder().maxDets(5, 20).build();
        CocoEvaluation ev = new CocoEvaluator(params).evaluate(gt, CocoDetections.of(List.of(det(1, 1, 0, 0, 100, 100, .9)), gt));
        IllegalStateException e = assertThrows(IllegalStateException.class, ev::stats);
        assertTrue(e.getMessage().contains("3 maxDets"), e.getMessage());
        assertThrows(IllegalStateException.class, ev::summary);
        assertEquals(1.0, ev.recall(0, 0, 0, 1));
        assertEquals(2, ev.precisionShape()[4]);
    }

    @Test
    void detectionsMustBeEvaluatedAgainstTheirOwnGroundTruth() {
        CocoGroundTruth a = CocoGroundTruth.builder("a").addImage(1).addCategory(1).build();
        CocoGroundTruth b = CocoGroundTruth.builder("b").addImage(1).addCategory(1).build();
        CocoDetections dt = CocoDetections.of(List.of(), a);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CocoEvaluator().evaluate(b, dt));
        assertTrue(e.getMessage().contains("a") && e.getMessage().contains("b"), e.getMessage());
    }

    @Test
    void statsJsonRoundTripsAndNamesEveryValue() {
        CocoStats s = CocoStats.of(new double[] {0.1, 0.2, 0.3, -1, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.30000000000000004, 0});
        String json = s.toJson();
        assertTrue(json.contains("\"APs\" : -1.0") && json.contains("\"ARm\" : 0.30000000000000004"), json);
        assertEquals(s, CocoStats.fromJson(json));
        assertEquals(0.5, s.get("APm"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CocoStats.fromJson("{\"AP\": 1, \"mAP\": 2}"));
        assertTrue(e.getMessage().contains("mAP") && e.getMessage().contains("AP50"), e.getMessage());
    }

    @Test
    void evaluationJsonCarriesStatsPerCategoryAndSkippedCounts() throws Exception {
        CocoGroundTruth gt = CocoGroundTruth.builder("json").addImage(1).addCategory(1)
                .addAnnotation(1, 1, 1, 0, 0, 100, 100, 10000, false)
                .addAnnotation(2, 1, 9, 0, 0, 100, 100, 10000, false).build(); // unknown category: skipped
        CocoEvaluation ev = eval(gt, List.of(det(1, 1, 0, 0, 100, 100, .9), det(1, 4, 0, 0, 10, 10, .9)));
        assertEquals(1, ev.skippedGroundTruthAnnotations());
        assertEquals(1, ev.skippedDetections());
        String json = ev.toJson();
        assertTrue(json.contains("\"detections_unknown_category\" : 1"), json);
        assertTrue(json.contains("\"category_id\" : 1"), json);
        assertEquals(ev.stats(), CocoStats.fromJson(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("stats").toString()));
    }

    @Test
    void paramsValidateAndRoundTripThroughJson() {
        CocoEvalParams p = CocoEvalParams.builder().maxDets(1, 5, 50).imageIds(List.of(4L, 2L)).categoryIds(List.of(3)).build();
        assertEquals(p, CocoEvalParams.fromJson(p.toJson()));
        assertThrows(IllegalArgumentException.class, () -> CocoEvalParams.builder().maxDets(10, 1, 100).build());
        assertThrows(IllegalArgumentException.class, () -> CocoEvalParams.builder().iouThresholds(1.5).build());
        assertThrows(IllegalArgumentException.class,
                () -> CocoEvalParams.builder().areaRanges(AreaRange.ALL, new AreaRange("all", 0, 5)).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CocoEvalParams.fromJson("{\"maxDet\": [1, 10, 100]}"));
        assertTrue(e.getMessage().contains("maxDet") && e.getMessage().contains("maxDets"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CocoEvalParams.fromJson("{\"iouType\": \"segm\"}"));
    }

    @Test
    void pythonStyleFormattingRoundsTheExactBinaryValueHalfEven() {
        assertEquals("0.001", NumpyCompat.fixed(0.0005, 3));   // 0.0005 is slightly above in binary
        assertEquals("0.062", NumpyCompat.fixed(0.0625, 3));   // exact tie: half-even
        assertEquals("-1.000", NumpyCompat.fixed(-1, 3));
        assertEquals("0.50", NumpyCompat.fixed(0.5, 2));
        assertEquals("0.95", NumpyCompat.fixed(0.95, 2));
    }

    @Test
    void linspaceGivesNumpysValues() {
        double[] iou = NumpyCompat.linspace(.5, .95, 10);
        assertEquals(0.8999999999999999, iou[8]);
        assertEquals(0.75, iou[5]);
        double[] rec = NumpyCompat.linspace(0, 1, 101);
        assertEquals(0.35000000000000003, rec[35]);
        assertEquals(0.5700000000000001, rec[57]);
        assertEquals(1.0, rec[100]);
    }
}
