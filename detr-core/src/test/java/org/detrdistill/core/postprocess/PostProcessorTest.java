package org.detrdistill.core.postprocess;

import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** {@link PostProcessor} and {@link TopK} with hand-computed values. */
class PostProcessorTest {
    // q0 cxcywh (0.5, 0.5, 0.2, 0.4) -> xyxy (0.4, 0.3, 0.6, 0.7); q1 (0.25, 0.75, 0.5, 0.5) -> (0, 0.5, 0.5, 1)
    private static final INDArray BOXES = Nd4j.create(new double[][][]{{{0.5, 0.5, 0.2, 0.4}, {0.25, 0.75, 0.5, 0.5}}});

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    @Test
    void sigmoidTopKOverQueriesAndClasses() {
        INDArray logits = Nd4j.create(new double[][][]{{{0, 2, -1}, {1, -3, 3}}});
        // original image 200 wide, 100 high; the transformed size (64x32) must not be used
        ImageTarget t = new ImageTarget(42, new int[0], Nd4j.create(DataType.DOUBLE, 0, 4), 32, 64, 100, 200);
        Detections d = PostProcessor.sigmoidTopK(3).process(logits, BOXES, List.of(t)).get(0);
        assertEquals(42, d.imageId());
        assertArrayEquals(new double[]{sigmoid(3), sigmoid(2), sigmoid(1)}, d.scores(), 1e-15);
        assertArrayEquals(new int[]{2, 1, 0}, d.labels()); // (q1,c2), (q0,c1), (q1,c0)
        assertArrayEquals(new double[]{0, 50, 100, 100, 80, 30, 120, 70, 0, 50, 100, 100}, d.boxes(), 1e-12);
        assertArrayEquals(new double[]{80, 30, 120, 70}, d.box(1), 1e-12);
        assertArrayEquals(new long[]{3, 4}, d.boxesArray().shape());

        // default k = 100 > Q*C = 6: every pair, still sorted
        Detections all = PostProcessor.sigmoidTopK().process(logits, BOXES, new int[][]{{100, 200}}).get(0);
        assertEquals(6, all.size());
        assertEquals(0, all.imageId());
        assertArrayEquals(new int[]{2, 1, 0, 0, 2, 1}, all.labels());
        assertEquals(sigmoid(-3), all.score(5), 1e-15);
    }

    @Test
    void softmaxTakesTheBestRealClassPerQuery() {
        // C = 3: classes 0, 1 and no-object. q0 prefers no-object, but its best real class (0) is reported.
        INDArray logits = Nd4j.create(new double[][][]{{{2, 0, 5}, {0, 1, 0}}});
        Detections d = PostProcessor.softmax().process(logits, BOXES, new int[][]{{100, 200}}).get(0);
        double e = Math.E;
        double p0 = e * e / (e * e + 1 + Math.exp(5)), p1 = e / (1 + e + 1);
        assertArrayEquals(new double[]{p1, p0}, d.scores(), 1e-15);
        assertArrayEquals(new int[]{1, 0}, d.labels());
        assertArrayEquals(new double[]{0, 50, 100, 100, 80, 30, 120, 70}, d.boxes(), 1e-12);
        assertEquals(1, PostProcessor.softmax(1).process(logits, BOXES, new int[][]{{100, 200}}).get(0).size());
    }

    @Test
    void equalScoresKeepQueryMajorOrder() {
        INDArray logits = Nd4j.zeros(DataType.FLOAT, 1, 2, 2);
        Detections d = PostProcessor.sigmoidTopK(3).process(logits, BOXES, new int[][]{{10, 10}}).get(0);
        assertArrayEquals(new int[]{0, 1, 0}, d.labels()); // flat indices 0, 1, 2
        assertArrayEquals(new double[]{4, 3, 6, 7}, d.box(0), 1e-6);
        assertArrayEquals(new double[]{0, 5, 5, 10}, d.box(2), 1e-6);
    }

    @Test
    void batchEqualsPerImage() {
        int b = 3, q = 7, c = 4;
        Nd4j.getRandom().setSeed(1);
        INDArray logits = Nd4j.randn(DataType.DOUBLE, b, q, c);
        INDArray boxes = Nd4j.rand(DataType.DOUBLE, b, q, 4).muli(0.5).addi(0.1);
        int[][] sizes = {{480, 640}, {100, 100}, {33, 77}};
        PostProcessor pp = PostProcessor.sigmoidTopK(10);
        List<Detections> batch = pp.process(logits, boxes, sizes);
        for (int i = 0; i < b; i++) {
            assertEquals(pp.processImage(logits.slice(i), boxes.slice(i), i, sizes[i][0], sizes[i][1]), batch.get(i));
            double[] s = batch.get(i).scores();
            for (int k = 1; k < s.length; k++) assertTrue(s[k - 1] >= s[k], "sorted");
        }
        assertNotEquals(batch.get(0), batch.get(1));
    }

    @Test
    void topKMatchesAFullSort() {
        Random rnd = new Random(9);
        for (int trial = 0; trial < 200; trial++) {
            int n = rnd.nextInt(40), k = n == 0 ? 0 : rnd.nextInt(n + 1);
            double[] s = new double[n];
            for (int i = 0; i < n; i++) s[i] = rnd.nextInt(5) / 4.0; // many ties
            int[] want = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -s[i]).thenComparingInt(i -> i))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, TopK.select(s, k), "n " + n + " k " + k + " " + Arrays.toString(s));
        }
    }

    @Test
    void badInputIsNamed() {
        INDArray logits = Nd4j.zeros(DataType.DOUBLE, 1, 2, 3);
        logits.putScalar(new long[]{0, 1, 2}, Double.NaN);
        var e = assertThrows(IllegalArgumentException.class,
                () -> PostProcessor.sigmoidTopK().process(logits, BOXES, new int[][]{{10, 10}}));
        assertTrue(e.getMessage().contains("logits[0][1, 2] is NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PostProcessor.sigmoidTopK().process(Nd4j.zeros(1, 2, 3), BOXES, new int[][]{{0, 10}}));
        assertTrue(e.getMessage().contains("size must be positive"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PostProcessor.sigmoidTopK().process(Nd4j.zeros(1, 3, 3), BOXES, new int[][]{{10, 10}}));
        assertTrue(e.getMessage().contains("boxes must have shape [1,3,4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PostProcessor.sigmoidTopK(0));
        assertTrue(e.getMessage().contains("topK"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Detections(1, new double[2], new int[2], new double[7]));
        assertTrue(e.getMessage().contains("need 4 per detection"), e.getMessage());
    }
}
