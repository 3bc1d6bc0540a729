package org.detrdistill.examples.bench;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a throw-away COCO-style dataset for benchmarks: JPEGs of COCO-like sizes (640x480, 480x640, 640x427,
 * 500x375, 612x612) with random shapes over a gradient plus pixel noise (so files are ~100 KB, like COCO's, and
 * decoding costs what it does on real photos), and an instances JSON with 1-6 boxes per image over 5 categories.
 * Self-contained on purpose (java.awt + ImageIO); not the project's synthetic COCO generator.
 */
final class SyntheticJpegDataset {
    private static final int[][] SIZES = {{640, 480}, {480, 640}, {640, 427}, {500, 375}, {612, 612}};

    private SyntheticJpegDataset() { }

    /**
     * @param dir    directory to write {@code images/*.jpg} and {@code instances.json} into
     * @param count  number of images
     * @param seed   seed of the content
     * @return the instances file
     */
    static Path write(Path dir, int count, long seed) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder imgJson = new StringBuilder(), annJson = new StringBuilder();
        int annId = 1;
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        for (int i = 0; i < count; i++) {
            int w = SIZES[i % SIZES.length][0], h = SIZES[i % SIZES.length][1];
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = img.createGraphics();
            g.setPaint(new java.awt.GradientPaint(0, 0, new Color(rnd.nextInt(1 << 24)), w, h, new Color(rnd.nextInt(1 << 24))));
            g.fillRect(0, 0, w, h);
            int objects = 1 + rnd.nextInt(6);
            for (int k = 0; k < objects; k++) {
                int bw = 20 + rnd.nextInt(w / 2), bh = 20 + rnd.nextInt(h / 2);
                int bx = rnd.nextInt(w - bw), by = rnd.nextInt(h - bh);
                g.setColor(new Color(rnd.nextInt(1 << 24)));
                if (rnd.nextBoolean()) {
                    g.fillRect(bx, by, bw, bh);
                } else {
                    g.fillOval(bx, by, bw, bh);
                }
                annJson.append(annJson.length() == 0 ? "" : ",\n").append(String.format(Locale.ROOT,
                        "{\"id\":%d,\"image_id\":%d,\"category_id\":%d,\"bbox\":[%d,%d,%d,%d],\"area\":%d,\"iscrowd\":0}",
                        annId++, i + 1, 1 + rnd.nextInt(5), bx, by, bw, bh, bw * bh));
            }
            g.dispose();
            byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int p = 0; p < px.length; p++) {
                px[p] = (byte) Math.max(0, Math.min(255, (px[p] & 0xFF) + rnd.nextInt(-12, 13)));
            }
            String name = String.format(Locale.ROOT, "%06d.jpg", i + 1);
            try (ImageOutputStream out = ImageIO.createImageOutputStream(images.resolve(name).toFile())) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(img, null, null), param);
            }
            imgJson.append(imgJson.length() == 0 ? "" : ",\n").append(String.format(Locale.ROOT,
                    "{\"id\":%d,\"file_name\":\"%s\",\"width\":%d,\"height\":%d}", i + 1, name, w, h));
        }
        writer.dispose();
        Path json = dir.resolve("instances.json");
        try (Writer out = Files.newBufferedWriter(json)) {
            out.write("{\"images\":[\n" + imgJson + "],\n\"annotations\":[\n" + annJson + "],\n\"categories\":[");
            for (int c = 1; c <= 5; c++) {
                out.write((c == 1 ? "" : ",") + "{\"id\":" + c + ",\"name\":\"shape" + c + "\"}");
            }
            out.write("]}\n");
        }
        return json;
    }
}
