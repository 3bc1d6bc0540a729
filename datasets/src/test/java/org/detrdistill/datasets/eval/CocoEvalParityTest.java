package org.detrdistill.datasets.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity with pycocotools (cocodataset/cocoapi 8c9bcc3, NumPy 1.24) on every case of {@code fixtures/coco_eval}:
 * the 12 stats, the precision {@code [T,R,K,A,M]} and recall {@code [T,K,A,M]} arrays, the summary text and the
 * default parameters. Everything is compared bit for bit (the required tolerance is 1e-12).
 */
class CocoEvalParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path caseDir(String name) {
        URL url = CocoEvalParityTest.class.getResource("/fixtures/coco_eval/" + name + "/manifest.json");
        if (url == null) throw new IllegalArgumentException("no fixture coco_eval/" + name + " on the test class path");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CocoEvaluation evaluate(Path dir) throws IOException {
        return new CocoEvaluator().evaluate(dir.resolve("gt.json"), dir.resolve("dt.json"));
    }

    private static double[] npy(Path file) {
        INDArray a = Nd4j.createFromNpyFile(file.toFile());
        return Nd4j.toFlattened('c', a).toDoubleVector();
    }

    private static long[] npyShape(Path file) {
        return Nd4j.createFromNpyFile(file.toFile()).shape();
    }

    @ParameterizedTest
    @ValueSource(strings = {"crowd_regions", "area_ranges", "maxdets_cutoff", "empty_images_and_categories",
            "duplicates_and_ties", "random_200img_10cat"})
    void statsMatchPycocotoolsExactly(String name) throws IOException {
        Path dir = caseDir(name);
        JsonNode expected = JSON.readTree(dir.resolve("stats.json").toFile()).get("stats");
        double[] actual = evaluate(dir).stats().toArray();
        for (int i = 0; i < 12; i++) {
            double e = expected.get(i).doubleValue();
            assertEquals(e, actual[i], 1e-12, name + " " + CocoStats.NAMES.get(i));
            assertEquals(Double.doubleToLongBits(e), Double.doubleToLongBits(actual[i]),
                    name + " " + CocoStats.NAMES.get(i) + " bitwise: expected " + e + ", got " + actual[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"crowd_regions", "area_ranges", "maxdets_cutoff", "empty_images_and_categories",
            "duplicates_and_ties", "random_200img_10cat"})
    void precisionAndRecallArraysMatchExactly(String name) throws IOException {
        Path dir = caseDir(name);
        CocoEvaluation ev = evaluate(dir);
        long[] pShape = npyShape(dir.resolve("precision.npy"));
        long[] rShape = npyShape(dir.resolve("recall.npy"));
        assertArrayEquals(pShape, Arrays.stream(ev.precisionShape()).asLongStream().toArray(), name + " precision shape");
        assertArrayEquals(rShape, Arrays.stream(ev.recallShape()).asLongStream().toArray(), name + " recall shape");
        double[] p = npy(dir.resolve("precision.npy"));
        double[] r = npy(dir.resolve("recall.npy"));
        double[] pa = ev.precisionData(), ra = ev.recallData();
        int mismatches = 0;
        for (int i = 0; i < p.length; i++) if (Double.doubleToLongBits(p[i]) != Double.doubleToLongBits(pa[i])) mismatches++;
        assertEquals(0, mismatches, name + ": precision entries differing from pycocotools");
        assertArrayEquals(r, ra, 0.0, name + " recall");
        // the INDArray view carries the same numbers
        assertEquals(Nd4j.createFromNpyFile(dir.resolve("precision.npy").toFile()), ev.precisionArray(), name);
        assertEquals(Nd4j.createFromNpyFile(dir.resolve("recall.npy").toFile()), ev.recallArray(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"crowd_regions", "area_ranges", "maxdets_cutoff", "empty_images_and_categories",
            "duplicates_and_ties", "random_200img_10cat"})
    void summaryTableMatchesPycocotoolsText(String name) throws IOException {
        Path dir = caseDir(name);
        assertEquals(Files.readString(dir.resolve("summary.txt")), evaluate(dir).summary(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"crowd_regions", "random_200img_10cat"})
    void defaultParamsEqualPycocotoolsParams(String name) throws IOException {
        Path dir = caseDir(name);
        CocoEvalParams fromFixture = CocoEvalParams.fromJson(Files.readString(dir.resolve("params.json")));
        CocoEvalParams defaults = CocoEvalParams.defaults();
        // exact linspace values, e.g. iouThrs[8] = 0.8999999999999999 and recThrs[35] = 0.35000000000000003
        assertEquals(fromFixture.iouThresholds(), defaults.iouThresholds());
        assertEquals(fromFixture.recallThresholds(), defaults.recallThresholds());
        assertEquals(fromFixture.maxDets(), defaults.maxDets());
        assertEquals(fromFixture.areaRanges(), defaults.areaRanges());
        // imgIds/catIds in the fixture are the ground truth's, sorted
        CocoGroundTruth gt = CocoGroundTruth.read(dir.resolve("gt.json"));
        assertArrayEquals(fromFixture.imageIds().stream().mapToLong(Long::longValue).toArray(), gt.imageIds());
        assertArrayEquals(fromFixture.categoryIds().stream().mapToInt(Integer::intValue).toArray(), gt.categoryIds());
        // evaluating with the fixture's explicit params gives the same result as the defaults
        CocoEvaluation explicit = new CocoEvaluator(fromFixture).evaluate(dir.resolve("gt.json"), dir.resolve("dt.json"));
        assertArrayEquals(evaluate(dir).precisionData(), explicit.precisionData(), 0.0);
        assertTrue(fromFixture.equals(CocoEvalParams.fromJson(fromFixture.toJson())), "params JSON round trip");
    }
}
