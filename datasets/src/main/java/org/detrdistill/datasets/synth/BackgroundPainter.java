package org.detrdistill.datasets.synth;

import java.util.SplittableRandom;

/**
 * Paints the background of a synthetic image (see {@link BackgroundKind}). Pure function of its arguments and the
 * random stream, so the generator stays deterministic. Package-private: used by {@link SyntheticSceneRenderer}.
 */
final class BackgroundPainter {

    private final BackgroundPhotos photos;

    /** @param photos the photos for {@link BackgroundKind#PHOTO}, or {@code null} if that kind is never used */
    BackgroundPainter(BackgroundPhotos photos) {
        this.photos = photos;
    }

    /** Background pixels, packed {@code 0xRRGGBB}, row-major {@code [height * width]}. */
    int[] paint(BackgroundKind kind, int width, int height, SplittableRandom rng) {
        switch (kind) {
            case PLAIN:
                return plain(width, height, rng);
            case TEXTURED:
                return textured(width, height, rng);
            case PHOTO:
                if (photos == null) {
                    throw new IllegalStateException("no background photos loaded");
                }
                return photo(width, height, rng);
            default:
                throw new IllegalStateException("unknown background " + kind);
        }
    }

    /** A muted colour: a grey level in [45, 205] with each channel shifted by up to +-28. */
    static int[] mutedColor(SplittableRandom rng) {
        double grey = 45 + 160 * rng.nextDouble();
        int[] c = new int[3];
        for (int k = 0; k < 3; k++) {
            c[k] = clamp(grey + (rng.nextDouble() * 2 - 1) * 28);
        }
        return c;
    }

    private static int[] plain(int w, int h, SplittableRandom rng) {
        int[] c = mutedColor(rng);
        int[] out = new int[w * h];
        java.util.Arrays.fill(out, pack(c[0], c[1], c[2]));
        return out;
    }

    private static int[] textured(int w, int h, SplittableRandom rng) {
        int[] c0 = mutedColor(rng);
        int[] c1 = mutedColor(rng);
        double angle = rng.nextDouble() * 2 * Math.PI;
        double dx = StrictMath.cos(angle);
        double dy = StrictMath.sin(angle);
        double span = Math.abs(dx) * w + Math.abs(dy) * h;
        double offset = Math.min(0, dx * w) + Math.min(0, dy * h);
        // three octaves of value noise per channel: cells of ~1/2, 1/5 and 1/12 of the image, amplitudes 34, 18, 9
        int[] cells = {2, 5, 12};
        double[] amp = {34, 18, 9};
        double[][][] grids = new double[cells.length][3][];
        for (int o = 0; o < cells.length; o++) {
            int n = (cells[o] + 1) * (cells[o] + 1);
            for (int k = 0; k < 3; k++) {
                double[] g = new double[n];
                for (int i = 0; i < n; i++) {
                    g[i] = rng.nextDouble() * 2 - 1;
                }
                grids[o][k] = g;
            }
        }
        int[] out = new int[w * h];
        double[] v = new double[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double t = ((x + 0.5) * dx + (y + 0.5) * dy - offset) / span;
                for (int k = 0; k < 3; k++) {
                    v[k] = c0[k] + (c1[k] - c0[k]) * t;
                }
                for (int o = 0; o < cells.length; o++) {
                    int n = cells[o];
                    double gx = (x + 0.5) / w * n;
                    double gy = (y + 0.5) / h * n;
                    int ix = Math.min((int) gx, n - 1);
                    int iy = Math.min((int) gy, n - 1);
                    double fx = smooth(gx - ix);
                    double fy = smooth(gy - iy);
                    int i00 = iy * (n + 1) + ix;
                    for (int k = 0; k < 3; k++) {
                        double[] g = grids[o][k];
                        double top = g[i00] + (g[i00 + 1] - g[i00]) * fx;
                        double bot = g[i00 + n + 1] + (g[i00 + n + 2] - g[i00 + n + 1]) * fx;
                        v[k] += amp[o] * (top + (bot - top) * fy);
                    }
                }
                out[y * w + x] = pack(clamp(v[0]), clamp(v[1]), clamp(v[2]));
            }
        }
        return out;
    }

    private int[] photo(int w, int h, SplittableRandom rng) {
        BackgroundPhotos.Photo p = photos.get(rng.nextInt(photos.size()));
        double aspect = (double) w / h;
        double frac = 0.2 + 0.8 * rng.nextDouble();
        double cw = Math.sqrt(frac * p.width() * p.height() * aspect);
        double ch = cw / aspect;
        double shrink = Math.min(1, Math.min(p.width() / cw, p.height() / ch));
        cw *= shrink;
        ch *= shrink;
        double x0 = rng.nextDouble() * (p.width() - cw);
        double y0 = rng.nextDouble() * (p.height() - ch);
        boolean flip = rng.nextBoolean();
        double bright = 0.7 + 0.45 * rng.nextDouble();
        double[] tint = new double[3];
        for (int k = 0; k < 3; k++) {
            tint[k] = bright * (0.82 + 0.36 * rng.nextDouble());
        }
        int[] src = p.rgb();
        int[] out = new int[w * h];
        int[] rgb = new int[3];
        for (int y = 0; y < h; y++) {
            double sy = y0 + (y + 0.5) * ch / h - 0.5;
            int iy = (int) Math.floor(sy);
            double fy = sy - iy;
            int y1 = clampIndex(iy, p.height());
            int y2 = clampIndex(iy + 1, p.height());
            for (int x = 0; x < w; x++) {
                int xx = flip ? w - 1 - x : x;
                double sx = x0 + (xx + 0.5) * cw / w - 0.5;
                int ix = (int) Math.floor(sx);
                double fx = sx - ix;
                int x1 = clampIndex(ix, p.width());
                int x2 = clampIndex(ix + 1, p.width());
                int a = src[y1 * p.width() + x1];
                int b = src[y1 * p.width() + x2];
                int c = src[y2 * p.width() + x1];
                int d = src[y2 * p.width() + x2];
                for (int k = 0; k < 3; k++) {
                    int sh = 16 - 8 * k;
                    double top = ((a >> sh) & 255) * (1 - fx) + ((b >> sh) & 255) * fx;
                    double bot = ((c >> sh) & 255) * (1 - fx) + ((d >> sh) & 255) * fx;
                    rgb[k] = clamp((top * (1 - fy) + bot * fy) * tint[k]);
                }
                out[y * w + x] = pack(rgb[0], rgb[1], rgb[2]);
            }
        }
        return out;
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    private static int clampIndex(int i, int n) {
        return i < 0 ? 0 : Math.min(i, n - 1);
    }

    static int clamp(double v) {
        long r = Math.round(v);
        return r < 0 ? 0 : (int) Math.min(r, 255);
    }

    static int pack(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }
}
