package org.detrdistill.datasets.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The files on disk: determinism, COCO schema, boxes in the decoded JPEGs, and protection of user data. */
class SyntheticCocoGeneratorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static SyntheticCocoConfig small() {
        return SyntheticCocoConfig.builder().numTrainImages(20).numValImages(6).imageWidth(96).imageHeight(72)
                .backgrounds(List.of(BackgroundKind.PLAIN, BackgroundKind.TEXTURED, BackgroundKind.PHOTO))
                .classes(List.of("red_circle", "star", "ring", "blue_cross")).maxObjects(5)
                .occlusionProbability(0.5).maxOcclusion(0.5).categoryIdStride(2).build();
    }

    /** sha-256 of every file under {@code root}, by relative path. */
    private static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sameConfigGivesByteIdenticalFilesWhateverTheThreads(@TempDir Path tmp) throws IOException {
        SyntheticCocoGenerator.generate(small(), tmp.resolve("a"), 1);
        SyntheticCocoGenerator.generate(small(), tmp.resolve("b"), 3);
        Map<String, String> a = hashes(tmp.resolve("a"));
        Map<String, String> b = hashes(tmp.resolve("b"));
        assertEquals(20 + 6 + 3, a.size(), a.keySet().toString());
        assertEquals(a, b);
        SyntheticCocoGenerator.generate(small().toBuilder().seed(7).build(), tmp.resolve("c"), 2);
        Map<String, String> c = hashes(tmp.resolve("c"));
        assertEquals(a.keySet(), c.keySet());
        assertFalse(a.get("train/000000000001.jpg").equals(c.get("train/000000000001.jpg")), "seed matters");
    }

    @Test
    void annotationFilesFollowTheCocoSchema(@TempDir Path tmp) throws IOException {
        SyntheticCocoDataset d = SyntheticCocoGenerator.generate(small(), tmp.resolve("out"), 2);
        assertEquals(tmp.resolve("out/annotations/instances_train.json").toAbsolutePath(), d.trainAnnotations());
        long nextImageId = 1;
        for (SyntheticSplit split : SyntheticSplit.values()) {
            JsonNode root = MAPPER.readTree(d.annotations(split).toFile());
            for (String key : List.of("info", "licenses", "images", "annotations", "categories")) {
                assertTrue(root.has(key), split + " has " + key);
            }
            assertTrue(root.get("info").get("synthetic_config").isObject());
            Set<Integer> catIds = new HashSet<>();
            for (JsonNode c : root.get("categories")) {
                assertTrue(c.get("id").isInt() && c.get("name").isTextual() && c.get("supercategory").isTextual());
                catIds.add(c.get("id").asInt());
            }
            assertEquals(Set.of(1, 3, 5, 7), catIds, "stride 2 gives ids 1,3,5,7");
            Map<Long, JsonNode> images = new HashMap<>();
            for (JsonNode im : root.get("images")) {
                long id = im.get("id").asLong();
                assertEquals(nextImageId++, id, "image ids are consecutive across splits");
                assertEquals(96, im.get("width").asInt());
                assertEquals(72, im.get("height").asInt());
                Path file = d.imageDir(split).resolve(im.get("file_name").asText());
                BufferedImage img = ImageIO.read(file.toFile());
                assertEquals(96, img.getWidth(), file.toString());
                assertEquals(72, img.getHeight(), file.toString());
                assertTrue(images.put(id, im) == null);
            }
            assertEquals(split == SyntheticSplit.TRAIN ? 20 : 6, images.size());
            int expectedAnnId = 1;
            for (JsonNode a : root.get("annotations")) {
                assertEquals(expectedAnnId++, a.get("id").asInt(), "annotation ids count from 1");
                assertTrue(images.containsKey(a.get("image_id").asLong()));
                assertTrue(catIds.contains(a.get("category_id").asInt()));
                assertEquals(0, a.get("iscrowd").asInt());
                JsonNode b = a.get("bbox");
                assertEquals(4, b.size());
                double x = b.get(0).asDouble(), y = b.get(1).asDouble(), w = b.get(2).asDouble(), h = b.get(3).asDouble();
                assertTrue(x >= 0 && y >= 0 && w >= 3 && h >= 3 && x + w <= 96 && y + h <= 72, b.toString());
                double area = a.get("area").asDouble();
                assertTrue(area >= 1 && area <= w * h, "area " + area + " within box " + b);
                JsonNode seg = a.get("segmentation");
                assertTrue(seg.isArray() && seg.size() == 1 && seg.get(0).size() >= 6 && seg.get(0).size() % 2 == 0);
                for (int i = 0; i < seg.get(0).size(); i += 2) {
                    double px = seg.get(0).get(i).asDouble(), py = seg.get(0).get(i + 1).asDouble();
                    assertTrue(px >= x - 0.01 && px <= x + w + 0.01 && py >= y - 0.01 && py <= y + h + 0.01);
                }
            }
            assertEquals(split == SyntheticSplit.TRAIN ? d.numTrainAnnotations() : d.numValAnnotations(),
                    expectedAnnId - 1);
        }
        assertTrue(d.numTrainAnnotations() >= 20, d.toString());
        assertTrue(d.toString().contains("train: 20 images") && d.toString().contains("7=blue_cross"), d.toString());
        JsonNode marker = MAPPER.readTree(tmp.resolve("out/synthetic_coco.json").toFile());
        assertTrue(marker.get("complete").asBoolean());
        assertEquals(small(), MAPPER.treeToValue(marker.get("config"), SyntheticCocoConfig.class));
    }

    @Test
    void boxesAreTightInTheDecodedJpegs(@TempDir Path tmp) throws IOException {
        SyntheticCocoConfig c = SyntheticCocoConfig.builder().numTrainImages(40).numValImages(0).imageWidth(100)
                .imageHeight(90).minObjects(1).maxObjects(1).jpegQuality(95)
                .classes(List.of("circle", "square", "triangle", "star", "ring", "cross", "diamond", "hexagon"))
                .backgrounds(List.of(BackgroundKind.PLAIN)).build();
        SyntheticCocoDataset d = SyntheticCocoGenerator.generate(c, tmp.resolve("out"), 2);
        JsonNode root = MAPPER.readTree(d.trainAnnotations().toFile());
        Map<Long, JsonNode> boxes = new HashMap<>();
        for (JsonNode a : root.get("annotations")) {
            boxes.put(a.get("image_id").asLong(), a.get("bbox"));
        }
        assertEquals(40, boxes.size());
        for (JsonNode im : root.get("images")) {
            BufferedImage img = ImageIO.read(d.trainImageDir().resolve(im.get("file_name").asText()).toFile());
            JsonNode b = boxes.get(im.get("id").asLong());
            int bx = b.get(0).asInt(), by = b.get(1).asInt(), bw = b.get(2).asInt(), bh = b.get(3).asInt();
            int bg = medianOutside(img, bx, by, bw, bh);
            int minX = Integer.MAX_VALUE, minY = Integer.MAX_VALUE, maxX = -1, maxY = -1;
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    if (distance(img.getRGB(x, y), bg) > 30) {
                        minX = Math.min(minX, x);
                        minY = Math.min(minY, y);
                        maxX = Math.max(maxX, x);
                        maxY = Math.max(maxY, y);
                    }
                }
            }
            String ctx = im.get("file_name").asText() + " box " + b + " object pixels x " + minX + ".." + maxX
                    + " y " + minY + ".." + maxY;
            assertTrue(Math.abs(minX - bx) <= 2 && Math.abs(maxX - (bx + bw - 1)) <= 2, ctx);
            assertTrue(Math.abs(minY - by) <= 2 && Math.abs(maxY - (by + bh - 1)) <= 2, ctx);
        }
    }

    private static int medianOutside(BufferedImage img, int bx, int by, int bw, int bh) {
        int[][] ch = new int[3][256];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (x < bx - 3 || x > bx + bw + 2 || y < by - 3 || y > by + bh + 2) {
                    int v = img.getRGB(x, y);
                    ch[0][(v >> 16) & 255]++;
                    ch[1][(v >> 8) & 255]++;
                    ch[2][v & 255]++;
                }
            }
        }
        int out = 0;
        for (int k = 0; k < 3; k++) {
            int total = 0;
            for (int v : ch[k]) {
                total += v;
            }
            int acc = 0;
            int v = 0;
            while (acc + ch[k][v] <= total / 2) {
                acc += ch[k][v++];
            }
            out = (out << 8) | v;
        }
        return out;
    }

    private static double distance(int a, int b) {
        double s = 0;
        for (int sh = 0; sh <= 16; sh += 8) {
            double d = ((a >> sh) & 255) - ((b >> sh) & 255);
            s += d * d;
        }
        return Math.sqrt(s);
    }

    @Test
    void refusesANonEmptyDirectoryOfUserData(@TempDir Path tmp) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "precious");
        DirectoryNotEmptyException e = assertThrows(DirectoryNotEmptyException.class,
                () -> SyntheticCocoGenerator.generate(small(), out));
        assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("refusing"), e.getMessage());
        assertEquals("precious", Files.readString(out.resolve("notes.txt")));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(1, s.count(), "nothing was added");
        }
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThrows(IOException.class, () -> SyntheticCocoGenerator.generate(small(), file));
        assertEquals("x", Files.readString(file));
    }

    @Test
    void regeneratesOverItsOwnOutputButNotOverAddedUserFiles(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("synth");
        SyntheticCocoGenerator.generate(small().toBuilder().numTrainImages(30).build(), out, 2);
        SyntheticCocoGenerator.generate(small(), out, 2);
        SyntheticCocoGenerator.generate(small(), tmp.resolve("fresh"), 2);
        assertEquals(hashes(tmp.resolve("fresh")), hashes(out), "old images 21..30 are gone, the rest is fresh");

        Path user = out.resolve("train/my_photo.png");
        Files.writeString(user, "user data");
        Map<String, String> before = hashes(out);
        DirectoryNotEmptyException e = assertThrows(DirectoryNotEmptyException.class,
                () -> SyntheticCocoGenerator.generate(small(), out, 2));
        assertTrue(e.getMessage().contains("train/my_photo.png"), e.getMessage());
        assertEquals(before, hashes(out), "nothing deleted when refusing");

        Files.delete(user);
        Files.writeString(out.resolve("synthetic_coco.json"), "{\"generator\": \"someone else\"}");
        assertThrows(DirectoryNotEmptyException.class, () -> SyntheticCocoGenerator.generate(small(), out, 2));
    }

    @Test
    void emptySplitStillWritesAValidFile(@TempDir Path tmp) throws IOException {
        SyntheticCocoDataset d = SyntheticCocoGenerator.generate(small().toBuilder().numValImages(0).build(),
                tmp.resolve("o"), 1);
        JsonNode val = MAPPER.readTree(d.valAnnotations().toFile());
        assertEquals(0, val.get("images").size());
        assertEquals(0, val.get("annotations").size());
        assertEquals(4, val.get("categories").size());
        assertEquals(0, d.numValImages());
        assertThrows(IllegalArgumentException.class, () -> SyntheticCocoGenerator.generate(small(), tmp, 0));
    }
}
