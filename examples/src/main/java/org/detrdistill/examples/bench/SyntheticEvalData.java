package org.detrdistill.examples.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.detrdistill.datasets.eval.CocoResults;
import org.detrdistill.datasets.eval.DetectionResult;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic COCO ground-truth file and a matching results file for timing evaluators: {@code images} images of
 * 640x480, 10 categories with non-contiguous ids, about 7 objects per image (small, medium and large; about 2% crowd
 * regions, and {@code area} fields a little below {@code w*h} as for segmentation masks) and exactly
 * {@code detsPerImage} detections per image: a jittered copy of most objects (some twice), the rest false positives
 * with lower scores. Scores have 3 decimals, so ties are frequent. Deterministic for a given seed.
 */
final class SyntheticEvalData {
    static final int[] CATEGORY_IDS = {1, 2, 3, 5, 7, 8, 11, 13, 17, 19};
    private static final int WIDTH = 640, HEIGHT = 480;

    private SyntheticEvalData() {}

    /** Writes {@code gt.json} and {@code dt.json} into {@code dir}; returns {annotations, detections}. */
    static int[] write(Path dir, int images, int detsPerImage, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<double[]> gt = new ArrayList<>();   // {imageId, categoryId, x, y, w, h, area, crowd}
        List<DetectionResult> dt = new ArrayList<>(images * detsPerImage);
        for (int img = 1; img <= images; img++) {
            int objects = 1 + rnd.nextInt(13); // 1..13, mean 7
            int made = 0;
            for (int o = 0; o < objects; o++) {
                int cat = CATEGORY_IDS[rnd.nextInt(CATEGORY_IDS.length)];
                double[] b = randomBox(rnd);
                boolean crowd = rnd.nextDouble() < 0.02;
                if (crowd) b = new double[] {b[0] / 2, b[1] / 2, Math.min(WIDTH - b[0] / 2, b[2] * 2.5), Math.min(HEIGHT - b[1] / 2, b[3] * 2.5)};
                double area = round2(b[2] * b[3] * (0.6 + 0.4 * rnd.nextDouble()));
                gt.add(new double[] {img, cat, b[0], b[1], b[2], b[3], area, crowd ? 1 : 0});
                if (made < detsPerImage && rnd.nextDouble() < 0.85) {
                    dt.add(jittered(img, cat, b, rnd, 0.5 + 0.5 * rnd.nextDouble()));
                    made++;
                    if (made < detsPerImage && rnd.nextDouble() < 0.15) {
                        dt.add(jittered(img, cat, b, rnd, 0.2 + 0.5 * rnd.nextDouble()));
                        made++;
                    }
                }
            }
            for (; made < detsPerImage; made++) {
                double[] b = randomBox(rnd);
                int cat = CATEGORY_IDS[rnd.nextInt(CATEGORY_IDS.length)];
                dt.add(new DetectionResult(img, cat, b[0], b[1], b[2], b[3], round3(0.6 * rnd.nextDouble())));
            }
        }
        writeGroundTruth(dir.resolve("gt.json"), images, gt);
        CocoResults.write(dir.resolve("dt.json"), dt);
        return new int[] {gt.size(), dt.size()};
    }

    /** A box of log-uniform size between 4 and 300 px a side, inside the image; {x, y, w, h} with 2 decimals. */
    private static double[] randomBox(SplittableRandom rnd) {
        double w = Math.exp(Math.log(4) + rnd.nextDouble() * (Math.log(300) - Math.log(4)));
        double h = w * Math.exp((rnd.nextDouble() - 0.5) * 1.2);
        w = Math.min(w, WIDTH - 1);
        h = Math.min(h, HEIGHT - 1);
        double x = rnd.nextDouble() * (WIDTH - w);
        double y = rnd.nextDouble() * (HEIGHT - h);
        return new double[] {round2(x), round2(y), round2(w), round2(h)};
    }

    private static DetectionResult jittered(int img, int cat, double[] b, SplittableRandom rnd, double score) {
        double s = 0.12;
        double w = b[2] * (1 + s * (rnd.nextDouble() - 0.5) * 2);
        double h = b[3] * (1 + s * (rnd.nextDouble() - 0.5) * 2);
        double x = b[0] + b[2] * s * (rnd.nextDouble() - 0.5) * 2;
        double y = b[1] + b[3] * s * (rnd.nextDouble() - 0.5) * 2;
        return new DetectionResult(img, cat, round2(x), round2(y), round2(w), round2(h), round3(score));
    }

    private static double round2(double v) { return Math.round(v * 100) / 100.0; }

    private static double round3(double v) { return Math.round(v * 1000) / 1000.0; }

    private static void writeGroundTruth(Path file, int images, List<double[]> anns) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp);
             JsonGenerator g = new JsonFactory().createGenerator(os, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeObjectFieldStart("info");
            g.writeStringField("description", "synthetic COCO evaluation benchmark data");
            g.writeEndObject();
            g.writeArrayFieldStart("images");
            for (int i = 1; i <= images; i++) {
                g.writeStartObject();
                g.writeNumberField("id", i);
                g.writeNumberField("width", WIDTH);
                g.writeNumberField("height", HEIGHT);
                g.writeStringField("file_name", String.format("%012d.jpg", i));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (int c : CATEGORY_IDS) {
                g.writeStartObject();
                g.writeNumberField("id", c);
                g.writeStringField("name", "class" + c);
                g.writeStringField("supercategory", "thing");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            int id = 1;
            for (double[] a : anns) {
                g.writeStartObject();
                g.writeNumberField("id", id++);
                g.writeNumberField("image_id", (long) a[0]);
                g.writeNumberField("category_id", (int) a[1]);
                g.writeArrayFieldStart("bbox");
                for (int k = 2; k < 6; k++) g.writeNumber(a[k]);
                g.writeEndArray();
                g.writeNumberField("area", a[6]);
                g.writeNumberField("iscrowd", (int) a[7]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
