package org.detrdistill.datasets.synth;

import java.util.SplittableRandom;

/**
 * Colours of a synthetic object: its fill (class colour or a contrasting palette colour, with a brightness jitter)
 * and its rim (darker or lighter than the fill, whichever stands out from the background). All colours are packed
 * {@code 0xRRGGBB} or {@code {r, g, b}} in 0..255. Package-private helper of {@link SyntheticSceneRenderer}.
 */
final class ObjectColors {

    /** Smallest RGB distance between a bare-shape object's colour and the mean background under it, if reachable. */
    static final double MIN_COLOR_DISTANCE = 140;
    private static final int PALETTE_DRAWS = 12;

    private ObjectColors() {
    }

    /** Mean {@code {r, g, b}} of {@code rgb} (row-major, width {@code w}) over the rectangle {@code (x, y, sw, sh)}. */
    static double[] meanUnder(int[] rgb, int w, int x, int y, int sw, int sh) {
        double[] mean = new double[3];
        for (int yy = 0; yy < sh; yy++) {
            for (int xx = 0; xx < sw; xx++) {
                int v = rgb[(y + yy) * w + x + xx];
                mean[0] += (v >> 16) & 255;
                mean[1] += (v >> 8) & 255;
                mean[2] += v & 255;
            }
        }
        for (int k = 0; k < 3; k++) {
            mean[k] /= (double) sw * sh;
        }
        return mean;
    }

    /**
     * The fill colour: the class colour, or for a bare-shape class a random palette colour at least
     * {@value #MIN_COLOR_DISTANCE} from the mean background {@code under} the object (the most distant of
     * {@value #PALETTE_DRAWS} draws otherwise); then a brightness jitter of -12%..+8%.
     *
     * @return packed {@code 0xRRGGBB}
     */
    static int fill(SyntheticClass c, double[] under, SplittableRandom rng) {
        ShapeColor base = c.color();
        if (base == null) {
            ShapeColor[] palette = ShapeColor.values();
            double bestDist = -1;
            for (int t = 0; t < PALETTE_DRAWS; t++) {
                ShapeColor cand = palette[rng.nextInt(palette.length)];
                int v = cand.rgb();
                double d = distance(new int[] {(v >> 16) & 255, (v >> 8) & 255, v & 255}, under);
                if (d > bestDist) {
                    bestDist = d;
                    base = cand;
                }
                if (d >= MIN_COLOR_DISTANCE) {
                    break;
                }
            }
        }
        double jitter = 0.88 + 0.2 * rng.nextDouble();
        int v = base.rgb();
        return BackgroundPainter.pack(BackgroundPainter.clamp(((v >> 16) & 255) * jitter),
                BackgroundPainter.clamp(((v >> 8) & 255) * jitter), BackgroundPainter.clamp((v & 255) * jitter));
    }

    /**
     * The rim colour {@code {r, g, b}}: the fill at 45% brightness or the fill halfway to white, whichever is
     * farther from the mean background {@code under} the object, so the rim never blends into its surroundings.
     */
    static int[] rim(int fill, double[] under) {
        int r = (fill >> 16) & 255;
        int g = (fill >> 8) & 255;
        int b = fill & 255;
        int[] dark = {r * 45 / 100, g * 45 / 100, b * 45 / 100};
        int[] light = {(r + 255) / 2, (g + 255) / 2, (b + 255) / 2};
        return distance(dark, under) >= distance(light, under) ? dark : light;
    }

    private static double distance(int[] c, double[] under) {
        double dr = c[0] - under[0];
        double dg = c[1] - under[1];
        double db = c[2] - under[2];
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }
}
