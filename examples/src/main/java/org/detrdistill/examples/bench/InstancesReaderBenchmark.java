package org.detrdistill.examples.bench;

import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoInstancesReader;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Reads a generated instances file shaped like COCO train2017 (118,287 images, 860,001 annotations, polygon
 * segmentations of ~64 coordinates, ~450 MB) and reports the time and the heap: run it with a small {@code -Xmx}
 * (e.g. 384m) to check that {@link CocoInstancesReader} streams in bounded memory. A tree-model parse of such a file
 * needs several GB.
 *
 * <p>Arguments: {@code [images] [annotations] [file]}; the file is generated if absent and deleted afterwards only if
 * it was generated into a temp directory.
 */
public final class InstancesReaderBenchmark {
    private InstancesReaderBenchmark() { }

    public static void main(String[] args) throws IOException {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 118_287;
        int annotations = args.length > 1 ? Integer.parseInt(args[1]) : 860_001;
        boolean temp = args.length <= 2;
        Path file = temp ? Files.createTempDirectory("instances-bench").resolve("instances.json") : Path.of(args[2]);
        try {
            if (!Files.exists(file)) {
                long t0 = System.nanoTime();
                generate(file, images, annotations);
                System.out.printf(Locale.ROOT, "generated %s: %.0f MB in %.1f s%n", file, Files.size(file) / 1e6,
                        (System.nanoTime() - t0) / 1e9);
            }
            long t0 = System.nanoTime();
            CocoDataset ds = CocoInstancesReader.read(file);
            double s = (System.nanoTime() - t0) / 1e9;
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf(Locale.ROOT, "read %d images, %d annotations, %d categories in %.1f s (%.0f MB/s)%n",
                    ds.size(), ds.annotations().size(), ds.categories().size(), s, Files.size(file) / 1e6 / s);
            System.out.printf(Locale.ROOT, "heap: read completed within -Xmx %d MB; retained after GC %d MB%n",
                    rt.maxMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
        } finally {
            if (temp) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.getParent());
            }
        }
    }

    private static void generate(Path file, int images, int annotations) throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("{\"info\":{\"description\":\"synthetic, shaped like COCO 2017\"},\"licenses\":[],\"images\":[");
            for (int i = 0; i < images; i++) {
                w.write(i == 0 ? "" : ",");
                w.write("{\"license\":3,\"file_name\":\"" + String.format(Locale.ROOT, "%012d.jpg", i + 1)
                        + "\",\"coco_url\":\"http://images.cocodataset.org/train2017/x.jpg\",\"height\":480,"
                        + "\"width\":640,\"date_captured\":\"2013-11-14 11:18:45\",\"id\":" + (i + 1) + "}");
            }
            w.write("],\"annotations\":[");
            StringBuilder sb = new StringBuilder(1024);
            for (int a = 0; a < annotations; a++) {
                sb.setLength(0);
                sb.append(a == 0 ? "" : ",").append("{\"segmentation\":[[");
                int coords = 32 + rnd.nextInt(64);
                for (int k = 0; k < coords; k++) {
                    sb.append(k == 0 ? "" : ",").append(rnd.nextInt(640)).append('.').append(rnd.nextInt(10, 100));
                }
                int x = rnd.nextInt(600), y = rnd.nextInt(440);
                sb.append("]],\"area\":").append(rnd.nextInt(1, 10000)).append(".5,\"iscrowd\":0,\"image_id\":")
                        .append(1 + rnd.nextInt(images)).append(",\"bbox\":[").append(x).append(".1,").append(y)
                        .append(".2,").append(1 + rnd.nextInt(40)).append(".3,").append(1 + rnd.nextInt(40))
                        .append(".4],\"category_id\":").append(1 + rnd.nextInt(90)).append(",\"id\":").append(a + 1)
                        .append('}');
                w.append(sb);
            }
            w.write("],\"categories\":[");
            for (int c = 1; c <= 90; c++) {
                w.write((c == 1 ? "" : ",") + "{\"supercategory\":\"s\",\"id\":" + c + ",\"name\":\"c" + c + "\"}");
            }
            w.write("]}");
        }
    }
}
