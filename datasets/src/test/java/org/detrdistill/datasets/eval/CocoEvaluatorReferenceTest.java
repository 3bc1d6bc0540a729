package org.detrdistill.datasets.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimised evaluator against {@link CocoEvalReference}, a literal step-by-step re-implementation of pycocotools,
 * on random data built to hit the corner cases (coarse-grid boxes, so exact IoU ties and IoU exactly at thresholds;
 * few distinct scores, so ties within and across images; crowd regions; areas exactly 32^2 and 96^2 and different
 * from w*h; more detections than maxDets; an annotation id 0; unknown ids) and with non-default parameters.
 * The reference itself is first checked against the pycocotools fixtures.
 */
class CocoEvaluatorReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"crowd_regions", "area_ranges", "maxdets_cutoff", "empty_images_and_categories",
            "duplicates_and_ties", "random_200img_10cat"})
    void referenceReproducesTheFixtures(String name) throws IOException {
        Path dir = CocoEvalParityTest.caseDir(name);
        JsonNode gt = JSON.readTree(dir.resolve("gt.json").toFile());
        List<Long> images = new ArrayList<>();
        gt.get("images").forEach(n -> images.add(n.get("id").asLong()));
        List<Integer> cats = new ArrayList<>();
        gt.get("categories").forEach(n -> cats.add(n.get("id").asInt()));
        List<CocoEvalReference.Ann> anns = new ArrayList<>();
        gt.get("annotations").forEach(n -> anns.add(new CocoEvalReference.Ann(n.get("id").asLong(),
                n.get("image_id").asLong(), n.get("category_id").asInt(),
                new double[] {n.get("bbox").get(0).asDouble(), n.get("bbox").get(1).asDouble(),
                        n.get("bbox").get(2).asDouble(), n.get("bbox").get(3).asDouble()},
                n.get("area").asDouble(), n.path("iscrowd").asInt() != 0)));
        List<DetectionResult> dets = CocoResults.read(dir.resolve("dt.json"));
        CocoEvalReference ref = new CocoEvalReference(images, cats, anns, dets, CocoEvalParams.defaults());
        double[] p = Nd4j.toFlattened('c', Nd4j.createFromNpyFile(dir.resolve("precision.npy").toFile())).toDoubleVector();
        double[] r = Nd4j.toFlattened('c', Nd4j.createFromNpyFile(dir.resolve("recall.npy").toFile())).toDoubleVector();
        assertArrayEquals(p, ref.precision, 0.0, name);
        assertArrayEquals(r, ref.recall, 0.0, name);
    }

    @Test
    void defaultParamsAgreeWithReferenceOnRandomData() {
        for (int seed = 0; seed < 12; seed++) {
            compare(seed, CocoEvalParams.defaults(), "defaults");
        }
    }

    @Test
    void customParamsAgreeWithReferenceOnRandomData() {
        List<CocoEvalParams> variants = List.of(
                CocoEvalParams.builder().maxDets(1, 3, 7).build(),
                CocoEvalParams.builder().maxDets(2, 5).recallThresholds(NumpyCompat.linspace(0, 1, 11))
                        .iouThresholds(0.3, 0.5, 0.5 + 1e-12, 0.75, 1.0).build(),
                CocoEvalParams.builder().areaRanges(new AreaRange("all", 0, 1e10), new AreaRange("tiny", 0, 100),
                        new AreaRange("mid", 100, 2000), new AreaRange("big", 2000, 1e10)).build(),
                CocoEvalParams.builder().imageIds(List.of(3L, 5L, 8L, 13L, 21L, 999L))
                        .categoryIds(List.of(2, 4, 77)).build());
        for (int seed = 100; seed < 106; seed++) {
            for (int v = 0; v < variants.size(); v++) compare(seed, variants.get(v), "variant " + v);
        }
    }

    /** Builds a random case, evaluates it both ways and requires identical arrays. */
    private static void compare(int seed, CocoEvalParams params, String label) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Long> images = new ArrayList<>();
        for (long id = 1; id <= 30; id++) if (rnd.nextDouble() < 0.9) images.add(id);
        List<Integer> cats = List.of(1, 2, 4, 9);
        List<CocoEvalReference.Ann> anns = new ArrayList<>();
        List<DetectionResult> dets = new ArrayList<>();
        long annId = rnd.nextDouble() < 0.5 ? 0 : 1; // sometimes an annotation id 0 (pycocotools quirk)
        for (long img : images) {
            int nObj = rnd.nextInt(6);
            for (int o = 0; o < nObj; o++) {
                int cat = cats.get(rnd.nextInt(cats.size()));
                double[] b = gridBox(rnd);
                boolean crowd = rnd.nextDouble() < 0.1;
                double area = switch (rnd.nextInt(5)) {
                    case 0 -> 1024;
                    case 1 -> 9216;
                    case 2 -> b[2] * b[3] * 0.7;
                    default -> b[2] * b[3];
                };
                anns.add(new CocoEvalReference.Ann(annId++, img, cat, b, area, crowd));
                int copies = rnd.nextInt(3);
                for (int c = 0; c < copies; c++) {
                    double[] j = b.clone();
                    j[rnd.nextInt(4)] += 2 * (rnd.nextInt(5) - 2);
                    dets.add(new DetectionResult(img, rnd.nextDouble() < 0.9 ? cat : cats.get(rnd.nextInt(cats.size())),
                            j[0], j[1], Math.max(1, j[2]), Math.max(1, j[3]), score(rnd)));
                }
            }
            int fps = rnd.nextDouble() < 0.1 ? 120 : rnd.nextInt(6); // sometimes more than maxDets
            for (int f = 0; f < fps; f++) {
                double[] b = gridBox(rnd);
                dets.add(new DetectionResult(img, cats.get(rnd.nextInt(cats.size())), b[0], b[1], b[2], b[3], score(rnd)));
            }
        }
        // entries the ground truth does not know: skipped by both
        anns.add(new CocoEvalReference.Ann(100000, 777, 1, new double[] {0, 0, 10, 10}, 100, false));
        anns.add(new CocoEvalReference.Ann(100001, images.get(0), 55, new double[] {0, 0, 10, 10}, 100, false));
        dets.add(new DetectionResult(images.get(0), 55, 0, 0, 10, 10, 0.5));

        CocoGroundTruth.Builder b = CocoGroundTruth.builder("random-" + seed);
        images.forEach(b::addImage);
        cats.forEach(b::addCategory);
        for (CocoEvalReference.Ann a : anns) {
            double[] x = a.bbox();
            b.addAnnotation(a.id(), a.imageId(), a.categoryId(), x[0], x[1], x[2], x[3], a.area(), a.crowd());
        }
        CocoGroundTruth gt = b.build();
        CocoDetections dt = CocoDetections.of(dets, gt);
        assertEquals(2, gt.skippedUnknownImage() + gt.skippedUnknownCategory());
        assertEquals(1, dt.skippedUnknownCategory());
        CocoEvaluation ev = new CocoEvaluator(params).evaluate(gt, dt);
        CocoEvalReference ref = new CocoEvalReference(images, cats, anns, dets, params);
        String what = "seed " + seed + ", " + label;
        assertArrayEquals(ref.precision, ev.precisionData(), 0.0, what);
        assertArrayEquals(ref.recall, ev.recallData(), 0.0, what);
        boolean someValue = false;
        for (double v : ev.recallData()) someValue |= v > 0;
        assertTrue(someValue, "degenerate random case: " + what);
    }

    /** A box on a 2-pixel grid inside 200x200, sides 2..80 px. */
    private static double[] gridBox(SplittableRandom rnd) {
        double w = 2 * (1 + rnd.nextInt(40)), h = 2 * (1 + rnd.nextInt(40));
        return new double[] {2 * rnd.nextInt(60), 2 * rnd.nextInt(60), w, h};
    }

    /** One of 5 scores, so ties are everywhere. */
    private static double score(SplittableRandom rnd) {
        return (1 + rnd.nextInt(5)) / 10.0;
    }
}
