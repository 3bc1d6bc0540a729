package org.detrdistill.core.inference;

import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.datasets.image.DecodedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Boxes in class colours at the enlarged coordinates, tags with readable text, distinct colours, PNG output. */
class DetectionPainterTest {
    @TempDir Path tmp;

    private static DecodedImage grey(int w, int h) {
        byte[] bgr = new byte[w * h * 3];
        Arrays.fill(bgr, (byte) 128);
        return DecodedImage.fromBgr(bgr, w, h);
    }

    private static double distance(Color a, int rgb) {
        Color b = new Color(rgb);
        return Math.abs(a.getRed() - b.getRed()) + Math.abs(a.getGreen() - b.getGreen()) + Math.abs(a.getBlue() - b.getBlue());
    }

    /** Two detections on a 64x48 grey image: label 0 at (8,16)-(40,40), label 1 sticking out of the image. */
    private static Detections detections() {
        return new Detections(1, new double[] {0.9, 0.5}, new int[] {0, 1}, new double[] {8, 16, 40, 40, 50, 2, 90, 30});
    }

    @Test
    void drawsBoxesAndTagsInTheClassColourOnTheEnlargedImage() {
        DetectionPainter painter = DetectionPainter.withNames(List.of("circle", "square"));
        BufferedImage img;
        try (DecodedImage src = grey(64, 48)) {
            img = new DetectionPainter(l -> List.of("circle", "square").get(l), 192).draw(src, detections());
        }
        assertEquals(4.0, painter.scaleFor(128, 128), 1e-12);
        assertEquals(256, img.getWidth(), "64x48 enlarged to a 192-pixel shorter side");
        assertEquals(192, img.getHeight());
        Color c0 = DetectionPainter.colorOf(0);
        assertTrue(distance(c0, img.getRGB(32, 120)) < 30, "left edge of box 0 at x = 8*4");
        assertTrue(distance(c0, img.getRGB(100, 160)) < 30, "bottom edge of box 0 at y = 40*4");
        assertTrue(distance(new Color(128, 128, 128), img.getRGB(100, 120)) < 6, "inside the box: the image");
        // the tag above box 0 (its top is y = 64): filled with the class colour, with text pixels of another colour
        int fill = 0, text = 0;
        for (int y = 51; y < 62; y++) {
            for (int x = 34; x < 90; x++) {
                if (distance(c0, img.getRGB(x, y)) < 30) fill++;
                else text++;
            }
        }
        assertTrue(fill > 250 && text > 30, "tag fill " + fill + ", text " + text);
        assertTrue(distance(DetectionPainter.colorOf(1), img.getRGB(255, 60)) < 30, "box 1 clipped at the right edge");
    }

    @Test
    void neighbouringLabelsGetDistinctColours() {
        for (int a = 0; a < 12; a++) {
            for (int b = a + 1; b < 12; b++) {
                Color x = DetectionPainter.colorOf(a), y = DetectionPainter.colorOf(b);
                assertTrue(distance(x, y.getRGB()) > 60, "labels " + a + " and " + b + ": " + x + " vs " + y);
            }
        }
    }

    @Test
    void writesAPng() throws Exception {
        Path jpg = tmp.resolve("in.png");
        try (DecodedImage src = grey(64, 48)) {
            BufferedImage plain = new DetectionPainter(l -> "x", 0).draw(src, new Detections(1, new double[0], new int[0], new double[0]));
            assertEquals(64, plain.getWidth(), "no enlargement with minShortSide 0");
            ImageIO.write(plain, "png", jpg.toFile());
        }
        Path png = tmp.resolve("out/drawn.png");
        DetectionPainter.withNames(List.of("circle", "square")).write(jpg, detections(), png);
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(683, back.getWidth(), "enlarged to a 512-pixel shorter side");
        assertEquals(512, back.getHeight());
        try (var files = Files.list(png.getParent())) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }
}
