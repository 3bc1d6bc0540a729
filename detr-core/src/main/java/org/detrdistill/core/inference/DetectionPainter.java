package org.detrdistill.core.inference;

import org.detrdistill.core.postprocess.Detections;
import org.detrdistill.datasets.image.DecodedImage;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Draws detections onto their image with Java2D: one rectangle per detection in its class colour
 * ({@link #colorOf}: hues spread by the golden ratio, so neighbouring labels differ clearly), and a filled tag above
 * the box (inside it at the top edge) reading {@code <class name> <score>} in black or white, whichever contrasts.
 * Small images are enlarged first (bilinear) so that the shorter side is at least {@code minShortSide} pixels and the
 * text stays readable; boxes are scaled alike and clipped to the image. Lower scores are drawn first, so the best
 * detections end up on top. Needs no display ({@code java.awt.headless=true} is fine).
 *
 * <pre>{@code
 * DetectionPainter painter = new DetectionPainter(label -> categories.nameOf(label), 512);
 * painter.write(Path.of("val/000001.jpg"), detections, Path.of("out/000001.png"));
 * }</pre>
 */
public final class DetectionPainter {
    private static final double GOLDEN = 0.618033988749895;
    private final IntFunction<String> names;
    private final int minShortSide;

    /**
     * @param names        class name of a label (e.g. {@code CategoryMap::nameOf})
     * @param minShortSide enlarge images whose shorter side is below this (pixels); 0 = never
     */
    public DetectionPainter(IntFunction<String> names, int minShortSide) {
        this.names = Objects.requireNonNull(names, "names");
        if (minShortSide < 0) throw new IllegalArgumentException("minShortSide must be >= 0, got " + minShortSide);
        this.minShortSide = minShortSide;
    }

    /** With names for labels {@code 0..n-1} in list order, enlarging to a 512-pixel shorter side. */
    public static DetectionPainter withNames(List<String> names) {
        List<String> copy = List.copyOf(names);
        return new DetectionPainter(l -> l >= 0 && l < copy.size() ? copy.get(l) : "class " + l, 512);
    }

    /** The colour of class {@code label}: hue {@code (label * 0.618) mod 1}, saturated and bright. */
    public static Color colorOf(int label) {
        double hue = (0.05 + label * GOLDEN) % 1.0;
        return Color.getHSBColor((float) hue, 0.85f, 0.95f);
    }

    /**
     * Draws {@code d} (xyxy boxes in pixels of {@code image}) onto a copy of {@code image}.
     *
     * @return an RGB image, enlarged by {@link #scaleFor} of the image
     */
    public BufferedImage draw(DecodedImage image, Detections d) {
        int w = image.width(), h = image.height();
        BufferedImage src = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = image.toBgr();
        System.arraycopy(bgr, 0, ((DataBufferByte) src.getRaster().getDataBuffer()).getData(), 0, bgr.length);
        double s = scaleFor(w, h);
        int ow = (int) Math.round(w * s), oh = (int) Math.round(h * s);
        BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.drawImage(src, 0, 0, ow, oh, null);
            int side = Math.min(ow, oh);
            float stroke = Math.max(2f, side / 220f);
            g.setStroke(new BasicStroke(stroke));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(11, side / 34)));
            for (int i = d.size() - 1; i >= 0; i--) {
                double[] b = d.box(i);
                int x0 = clamp(b[0] * s, ow - 1), y0 = clamp(b[1] * s, oh - 1);
                int x1 = clamp(b[2] * s, ow - 1), y1 = clamp(b[3] * s, oh - 1);
                if (x1 <= x0 || y1 <= y0) continue;
                Color c = colorOf(d.label(i));
                g.setColor(c);
                g.drawRect(x0, y0, x1 - x0, y1 - y0);
                tag(g, String.format(Locale.ROOT, "%s %.2f", names.apply(d.label(i)), d.score(i)), c, x0, y0, ow,
                        Math.round(stroke));
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Reads {@code imageFile}, draws {@code d} and writes a PNG to {@code png} (atomically: temporary file, then
     * rename).
     *
     * @throws IOException if the image cannot be decoded or the PNG cannot be written (naming the file)
     */
    public void write(Path imageFile, Detections d, Path png) throws IOException {
        BufferedImage img;
        try (DecodedImage image = DecodedImage.read(imageFile)) {
            img = draw(image, d);
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer available for " + png);
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The enlargement of a {@code w × h} image: {@code max(1, minShortSide / min(w, h))}. */
    public double scaleFor(int w, int h) {
        return Math.max(1.0, (double) minShortSide / Math.min(w, h));
    }

    /** A filled label tag at the box's top-left corner: above it when there is room, else just inside. */
    private static void tag(Graphics2D g, String text, Color c, int x0, int y0, int imageWidth, int stroke) {
        FontMetrics fm = g.getFontMetrics();
        int pad = Math.max(2, fm.getHeight() / 8);
        int tw = fm.stringWidth(text) + 2 * pad, th = fm.getAscent() + fm.getDescent() + pad;
        int x = Math.max(0, Math.min(x0, imageWidth - tw));
        int y = y0 - th >= 0 ? y0 - th : y0 + stroke;
        g.setColor(c);
        g.fillRect(x, y, tw, th);
        double luminance = (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255;
        g.setColor(luminance > 0.55 ? Color.BLACK : Color.WHITE);
        g.drawString(text, x + pad, y + pad / 2 + fm.getAscent());
    }

    private static int clamp(double v, int max) {
        return (int) Math.round(Math.max(0, Math.min(max, v)));
    }
}
