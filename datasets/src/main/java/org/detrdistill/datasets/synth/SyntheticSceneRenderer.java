package org.detrdistill.datasets.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Renders synthetic scenes in memory: a background, then 0..n shapes painted back to front, each anti-aliased with
 * a thin rim that contrasts with the background under it. Scene {@code (split, index)} is a pure function of the
 * config, so any image can be (re)rendered alone, in any order, on any thread. Thread-safe and immutable.
 *
 * <p>Placement of one object: class uniform; up to {@value #SIZE_TRIES} sizes with {@value #POSITION_TRIES}
 * positions each: size {@code s ~ logU(minScale, maxScale) * min(W, H)}, aspect {@code a ~ logU(1/r, r)}, shape
 * rectangle {@code w = s sqrt(a), h = s / sqrt(a)} (rounded, at least 3 px, at most the image), position uniform with
 * the whole shape inside the image. With probability {@code occlusionProbability} the object may cover earlier
 * objects as long as none of them loses more than {@code maxOcclusion} of its pixels; otherwise it may not touch any
 * earlier object's pixels. An object's mask (area, occlusion, instance map) is its pixels with at least 50% coverage;
 * its box is the integer rectangle the shape exactly fills, so it is tight around every drawn (anti-aliased) pixel.</p>
 */
public final class SyntheticSceneRenderer {

    /** Sizes tried per object before it is skipped. */
    public static final int SIZE_TRIES = 4;
    /** Positions tried per size. */
    public static final int POSITION_TRIES = 10;
    private static final int MIN_SIDE = 3;

    private final SyntheticCocoConfig config;
    private final List<SyntheticClass> classes;
    private final BackgroundPainter painter;

    /**
     * @param config the dataset config; the bundled photos are loaded only if it uses {@link BackgroundKind#PHOTO}
     */
    public SyntheticSceneRenderer(SyntheticCocoConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.classes = config.parsedClasses();
        this.painter = new BackgroundPainter(
                config.backgrounds().contains(BackgroundKind.PHOTO) ? BackgroundPhotos.bundled() : null);
    }

    /** The config this renderer draws. */
    public SyntheticCocoConfig config() {
        return config;
    }

    /**
     * Renders image {@code index} (0-based) of {@code split}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is negative
     */
    public SyntheticScene render(SyntheticSplit split, int index) {
        if (index < 0) {
            throw new IndexOutOfBoundsException("image index " + index + " < 0");
        }
        SplittableRandom rng = new SplittableRandom(seedFor(config.seed(), split, index));
        int w = config.imageWidth();
        int h = config.imageHeight();
        List<BackgroundKind> kinds = config.backgrounds();
        BackgroundKind kind = kinds.get(rng.nextInt(kinds.size()));
        int[] rgb = painter.paint(kind, w, h, rng);
        int[] owner = new int[w * h];
        Arrays.fill(owner, -1);

        int n = config.minObjects() + rng.nextInt(config.maxObjects() - config.minObjects() + 1);
        List<Placed> placed = new ArrayList<>();
        int noRoom = 0;
        for (int i = 0; i < n; i++) {
            int cls = rng.nextInt(classes.size());
            boolean mayOcclude = rng.nextDouble() < config.occlusionProbability();
            Placed p = place(cls, mayOcclude, placed, owner, w, h, rng);
            if (p == null) {
                noRoom++;
                continue;
            }
            double[] under = ObjectColors.meanUnder(rgb, w, p.x, p.y, p.sw, p.sh);
            p.rgb = ObjectColors.fill(classes.get(cls), under, rng);
            commit(p, ObjectColors.rim(p.rgb, under), placed, owner, rgb, w);
        }

        List<SyntheticObject> objects = new ArrayList<>();
        int[] remap = new int[placed.size()];
        int hidden = 0;
        for (int i = 0; i < placed.size(); i++) {
            Placed p = placed.get(i);
            if (p.visible == 0) {
                remap[i] = -1;
                hidden++;
                continue;
            }
            remap[i] = objects.size();
            double[] poly = classes.get(p.cls).shape().outerPolygon(p.x, p.y, p.sw, p.sh, 0.3);
            for (int k = 0; k < poly.length; k++) {
                poly[k] = Math.round(poly[k] * 100) / 100.0;
            }
            objects.add(new SyntheticObject(p.cls, classes.get(p.cls), p.rgb, p.x, p.y, p.sw, p.sh,
                    new int[] {p.x, p.y, p.sw, p.sh},
                    p.full, p.visible, poly));
        }
        for (int i = 0; i < owner.length; i++) {
            if (owner[i] >= 0) {
                owner[i] = remap[owner[i]];
            }
        }
        return new SyntheticScene(w, h, rgb, owner, objects, kind, hidden, noRoom);
    }

    /** The seed of scene {@code (split, index)}: a SplitMix64 mix of the config seed, the split and the index. */
    static long seedFor(long seed, SyntheticSplit split, int index) {
        long s = mix(seed ^ 0x5DEECE66DL);
        s = mix(s + 0x9E3779B97F4A7C15L * (split.ordinal() + 1));
        return mix(s + 0xBF58476D1CE4E5B9L * ((long) index + 1));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** An object being placed: its rectangle, coverage sprite and mask bookkeeping. */
    private static final class Placed {
        int cls;
        int x;
        int y;
        int sw;
        int sh;
        byte[] fill;
        byte[] rim;
        int minX;
        int minY;
        int maxX;
        int maxY;
        int full;
        int visible;
        int rgb;
    }

    private Placed place(int cls, boolean mayOcclude, List<Placed> placed, int[] owner, int w, int h,
                         SplittableRandom rng) {
        ShapeKind shape = classes.get(cls).shape();
        double m = Math.min(w, h);
        double logMin = StrictMath.log(config.minScale());
        double logMax = StrictMath.log(config.maxScale());
        double logAspect = StrictMath.log(config.maxAspectRatio());
        int[] overlap = new int[placed.size()];
        for (int t = 0; t < SIZE_TRIES; t++) {
            double s = StrictMath.exp(logMin + (logMax - logMin) * rng.nextDouble()) * m;
            double a = StrictMath.exp(logAspect * (2 * rng.nextDouble() - 1));
            int sw = clampSide(s * Math.sqrt(a), w);
            int sh = clampSide(s / Math.sqrt(a), h);
            Placed p = rasterise(shape, sw, sh);
            if (p.full == 0) {
                continue;
            }
            p.cls = cls;
            for (int u = 0; u < POSITION_TRIES; u++) {
                p.x = rng.nextInt(w - sw + 1);
                p.y = rng.nextInt(h - sh + 1);
                if (admissible(p, mayOcclude, placed, owner, w, overlap)) {
                    float rimWidth = (float) Math.max(1.0, 0.05 * Math.min(sw, sh));
                    p.rim = coverage(shape.outline(0, 0, sw, sh), sw, sh, new BasicStroke(2 * rimWidth));
                    return p;
                }
            }
        }
        return null;
    }

    private static int clampSide(double side, int limit) {
        return (int) Math.max(MIN_SIDE, Math.min(limit, Math.round(side)));
    }

    /** Coverage of the fill (bytes 0..255, {@code [sh * sw]}) and the mask statistics; the rim comes later. */
    private static Placed rasterise(ShapeKind shape, int sw, int sh) {
        Placed p = new Placed();
        p.sw = sw;
        p.sh = sh;
        Shape outline = shape.outline(0, 0, sw, sh);
        p.fill = coverage(outline, sw, sh, null);
        p.minX = Integer.MAX_VALUE;
        p.minY = Integer.MAX_VALUE;
        p.maxX = -1;
        p.maxY = -1;
        for (int yy = 0; yy < sh; yy++) {
            for (int xx = 0; xx < sw; xx++) {
                if ((p.fill[yy * sw + xx] & 255) >= 128) {
                    p.full++;
                    p.minX = Math.min(p.minX, xx);
                    p.maxX = Math.max(p.maxX, xx);
                    p.minY = Math.min(p.minY, yy);
                    p.maxY = Math.max(p.maxY, yy);
                }
            }
        }
        p.visible = p.full;
        return p;
    }

    private static byte[] coverage(Shape outline, int sw, int sh, BasicStroke stroke) {
        BufferedImage img = new BufferedImage(sw, sh, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            if (stroke == null) {
                g.fill(outline);
            } else {
                g.setStroke(stroke);
                g.draw(outline);
            }
        } finally {
            g.dispose();
        }
        return ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    }

    private boolean admissible(Placed p, boolean mayOcclude, List<Placed> placed, int[] owner, int w, int[] overlap) {
        Arrays.fill(overlap, 0);
        boolean any = false;
        for (int yy = p.minY; yy <= p.maxY; yy++) {
            for (int xx = p.minX; xx <= p.maxX; xx++) {
                if ((p.fill[yy * p.sw + xx] & 255) >= 128) {
                    int o = owner[(p.y + yy) * w + p.x + xx];
                    if (o >= 0) {
                        overlap[o]++;
                        any = true;
                    }
                }
            }
        }
        if (!any) {
            return true;
        }
        if (!mayOcclude) {
            return false;
        }
        for (int j = 0; j < placed.size(); j++) {
            if (overlap[j] > 0) {
                Placed q = placed.get(j);
                double hiddenAfter = (double) (q.full - q.visible + overlap[j]) / q.full;
                if (hiddenAfter > config.maxOcclusion()) {
                    return false;
                }
            }
        }
        return true;
    }

    private void commit(Placed p, int[] rim, List<Placed> placed, int[] owner, int[] rgb, int w) {
        int idx = placed.size();
        int fr = (p.rgb >> 16) & 255;
        int fg = (p.rgb >> 8) & 255;
        int fb = p.rgb & 255;
        for (int yy = 0; yy < p.sh; yy++) {
            for (int xx = 0; xx < p.sw; xx++) {
                int a = p.fill[yy * p.sw + xx] & 255;
                if (a == 0) {
                    continue;
                }
                int pix = (p.y + yy) * w + p.x + xx;
                if (a >= 128) {
                    int o = owner[pix];
                    if (o >= 0) {
                        placed.get(o).visible--;
                    }
                    owner[pix] = idx;
                }
                double r = (p.rim[yy * p.sw + xx] & 255) / 255.0;
                double al = a / 255.0;
                int bg = rgb[pix];
                int nr = BackgroundPainter.clamp(((bg >> 16) & 255) * (1 - al) + al * (fr * (1 - r) + rim[0] * r));
                int ng = BackgroundPainter.clamp(((bg >> 8) & 255) * (1 - al) + al * (fg * (1 - r) + rim[1] * r));
                int nb = BackgroundPainter.clamp((bg & 255) * (1 - al) + al * (fb * (1 - r) + rim[2] * r));
                rgb[pix] = BackgroundPainter.pack(nr, ng, nb);
            }
        }
        placed.add(p);
    }

}
