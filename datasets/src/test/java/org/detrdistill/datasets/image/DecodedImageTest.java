package org.detrdistill.datasets.image;

import org.detrdistill.datasets.testutil.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodedImageTest {

    @Test
    void decodesPngToExactBgrPixels(@TempDir Path dir) throws IOException {
        Path file = TestImages.write(dir.resolve("p.png"), 13, 7, TestImages::pattern);
        try (DecodedImage img = DecodedImage.read(file)) {
            assertEquals(13, img.width());
            assertEquals(7, img.height());
            assertArrayEquals(TestImages.patternBgr(13, 7), img.toBgr());
        }
    }

    @Test
    void decodesJpegCloseToItsSource(@TempDir Path dir) throws IOException {
        Path file = TestImages.write(dir.resolve("p.jpg"), 40, 30, (x, y) -> 0x804020 + x);
        try (DecodedImage img = DecodedImage.read(file)) {
            byte[] got = img.toBgr();
            for (int y = 0; y < 30; y++) {
                for (int x = 0; x < 40; x++) {
                    int i = 3 * (y * 40 + x);
                    assertEquals(0x20 + x, got[i] & 0xFF, 8, "blue at " + x + "," + y);
                    assertEquals(0x80, got[i + 2] & 0xFF, 8, "red at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void greyImagesBecomeThreeEqualChannels(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("g.png");
        java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(5, 4, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 1, 0, 77);
        javax.imageio.ImageIO.write(grey, "png", file.toFile());
        try (DecodedImage img = DecodedImage.read(file)) {
            byte[] bgr = img.toBgr();
            int i = 3 * (5 + 2);
            assertEquals(77, bgr[i] & 0xFF);
            assertEquals(77, bgr[i + 1] & 0xFF);
            assertEquals(77, bgr[i + 2] & 0xFF);
            assertEquals(0, bgr[0]);
        }
    }

    @Test
    void missingEmptyAndCorruptFilesFailNamingTheFile(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.jpg");
        ImageDecodeException e1 = assertThrows(ImageDecodeException.class, () -> DecodedImage.read(missing));
        assertEquals(missing.toString(), e1.source());
        assertTrue(e1.getMessage().equals(missing + ": image file not found"), e1.getMessage());

        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        ImageDecodeException e2 = assertThrows(ImageDecodeException.class, () -> DecodedImage.read(empty));
        assertTrue(e2.getMessage().startsWith(empty + ": image file is empty"), e2.getMessage());

        Path corrupt = Files.write(dir.resolve("corrupt.jpg"), "this is not a JPEG at all".getBytes());
        ImageDecodeException e3 = assertThrows(ImageDecodeException.class, () -> DecodedImage.read(corrupt));
        assertTrue(e3.getMessage().startsWith(corrupt + ": not a decodable image"), e3.getMessage());
    }

    @Test
    void cropCopiesTheRectangleExactly() {
        try (DecodedImage img = DecodedImage.fromBgr(TestImages.patternBgr(10, 8), 10, 8);
             DecodedImage c = img.crop(3, 2, 4, 5)) {
            assertEquals(4, c.width());
            assertEquals(5, c.height());
            byte[] all = img.toBgr(), got = c.toBgr();
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 4; x++) {
                    for (int ch = 0; ch < 3; ch++) {
                        assertEquals(all[3 * ((y + 2) * 10 + x + 3) + ch], got[3 * (y * 4 + x) + ch]);
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> img.crop(8, 0, 3, 2));
            assertThrows(IllegalArgumentException.class, () -> img.crop(0, 0, 0, 2));
        }
    }

    @Test
    void flipMirrorsColumns() {
        try (DecodedImage img = DecodedImage.fromBgr(TestImages.patternBgr(7, 3), 7, 3);
             DecodedImage f = img.flipHorizontal()) {
            byte[] a = img.toBgr(), b = f.toBgr();
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 7; x++) {
                    for (int ch = 0; ch < 3; ch++) {
                        assertEquals(a[3 * (y * 7 + x) + ch], b[3 * (y * 7 + 6 - x) + ch]);
                    }
                }
            }
        }
    }

    @Test
    void downscaleAveragesPixelAreas() {
        // 4x2 -> 2x1: each output pixel is the mean of a 2x2 block (sums chosen divisible by 4: no rounding)
        byte[] px = new byte[4 * 2 * 3];
        int[] grey = {10, 30, 100, 200, 50, 70, 0, 100};   // row 0 then row 1
        for (int i = 0; i < 8; i++) {
            px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = (byte) grey[i];
        }
        try (DecodedImage img = DecodedImage.fromBgr(px, 4, 2); DecodedImage r = img.resize(2, 1)) {
            byte[] got = r.toBgr();
            assertEquals((10 + 30 + 50 + 70) / 4, got[0] & 0xFF);
            assertEquals((100 + 200 + 0 + 100) / 4, got[3] & 0xFF);
        }
    }

    @Test
    void upscaleIsBilinearWithHalfPixelCentres() {
        // 2x1 -> 4x1: output centres at x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 (edges clamped)
        byte[] px = {0, 0, 0, (byte) 200, (byte) 200, (byte) 200};
        try (DecodedImage img = DecodedImage.fromBgr(px, 2, 1); DecodedImage r = img.resize(4, 1)) {
            byte[] got = r.toBgr();
            assertArrayEquals(new int[]{0, 50, 150, 200},
                    new int[]{got[0] & 0xFF, got[3] & 0xFF, got[6] & 0xFF, got[9] & 0xFF});
        }
    }

    @Test
    void constantImageStaysConstantUnderResize() {
        byte[] px = new byte[37 * 23 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = 10;
            px[i + 1] = 120;
            px[i + 2] = (byte) 250;
        }
        try (DecodedImage img = DecodedImage.fromBgr(px, 37, 23)) {
            for (int[] size : new int[][]{{20, 11}, {80, 50}, {37, 23}}) {
                try (DecodedImage r = img.resize(size[0], size[1])) {
                    byte[] got = r.toBgr();
                    assertEquals(size[0] * size[1] * 3, got.length);
                    for (int i = 0; i < got.length; i += 3) {
                        assertEquals(10, got[i]);
                        assertEquals(120, got[i + 1]);
                        assertEquals(250, got[i + 2] & 0xFF);
                    }
                }
            }
        }
    }
}
