package org.detrdistill.datasets.synth;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In-memory checks of the rendered pixels against the ground truth, before any JPEG loss. */
class SyntheticSceneRendererTest {

    private static final List<String> ALL_SHAPES = Arrays.stream(ShapeKind.values()).map(ShapeKind::label).toList();

    private static SyntheticCocoConfig.Builder base() {
        return SyntheticCocoConfig.builder().numTrainImages(50).numValImages(10).imageWidth(112).imageHeight(80)
                .classes(ALL_SHAPES).backgrounds(List.of(BackgroundKind.PLAIN));
    }

    /** Bounds {minX, minY, maxX, maxY} of the pixels where {@code hit[i]}; null if none. */
    private static int[] bounds(boolean[] hit, int w) {
        int[] b = {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1};
        for (int i = 0; i < hit.length; i++) {
            if (hit[i]) {
                b[0] = Math.min(b[0], i % w);
                b[1] = Math.min(b[1], i / w);
                b[2] = Math.max(b[2], i % w);
                b[3] = Math.max(b[3], i / w);
            }
        }
        return b[2] < 0 ? null : b;
    }

    @Test
    void boxIsTightAroundTheDrawnPixels() {
        SyntheticSceneRenderer r = new SyntheticSceneRenderer(base().minObjects(1).maxObjects(1).build());
        Set<ShapeKind> seen = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            SyntheticScene s = r.render(SyntheticSplit.TRAIN, i);
            assertEquals(1, s.objects().size());
            SyntheticObject o = s.objects().get(0);
            seen.add(o.syntheticClass().shape());
            int[] rgb = s.rgb();
            int bg = rgb[cornerFarFrom(o.bbox(), s.width(), s.height())];
            boolean[] changed = new boolean[rgb.length];
            boolean[] mask = new boolean[rgb.length];
            int[] inst = s.instanceMap();
            for (int p = 0; p < rgb.length; p++) {
                changed[p] = rgb[p] != bg;
                mask[p] = inst[p] == 0;
            }
            int[] b = o.bbox();
            int[] drawn = bounds(changed, s.width());
            int[] m = bounds(mask, s.width());
            String ctx = "image " + i + " " + o;
            assertArrayEquals(new int[] {o.x(), o.y(), o.shapeWidth(), o.shapeHeight()}, b, ctx);
            // every changed pixel (anti-aliased fringe included) is inside the box, and the changed pixels reach
            // each side of the box within 2 px (the last pixels of thin star and triangle tips may round away)
            assertTrue(drawn[0] >= b[0] && drawn[0] <= b[0] + 2, ctx + " left " + drawn[0]);
            assertTrue(drawn[1] >= b[1] && drawn[1] <= b[1] + 2, ctx + " top " + drawn[1]);
            assertTrue(drawn[2] <= b[0] + b[2] - 1 && drawn[2] >= b[0] + b[2] - 3, ctx + " right " + drawn[2]);
            assertTrue(drawn[3] <= b[1] + b[3] - 1 && drawn[3] >= b[1] + b[3] - 3, ctx + " bottom " + drawn[3]);
            // the >= 50% coverage mask is inside the box too, within 2 px of each side
            assertTrue(m[0] >= b[0] && m[1] >= b[1] && m[2] <= b[0] + b[2] - 1 && m[3] <= b[1] + b[3] - 1, ctx);
            assertTrue(m[0] <= b[0] + 2 && m[1] <= b[1] + 2 && m[2] >= b[0] + b[2] - 3 && m[3] >= b[1] + b[3] - 3,
                    ctx);
            assertTrue(b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= s.width() && b[1] + b[3] <= s.height(), ctx);
        }
        assertEquals(Set.of(ShapeKind.values()), seen, "every shape was drawn");
    }

    private static int cornerFarFrom(int[] b, int w, int h) {
        int[][] corners = {{0, 0}, {w - 1, 0}, {0, h - 1}, {w - 1, h - 1}};
        for (int[] c : corners) {
            if (c[0] < b[0] - 1 || c[0] > b[0] + b[2] || c[1] < b[1] - 1 || c[1] > b[1] + b[3]) {
                return c[1] * w + c[0];
            }
        }
        throw new AssertionError("object covers all corners");
    }

    /** The object's full mask, rasterised here independently: pixels with >= 50% anti-aliased coverage. */
    private static boolean[] fullMask(SyntheticObject o, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fill(o.syntheticClass().shape().outline(o.x(), o.y(), o.shapeWidth(), o.shapeHeight()));
        g.dispose();
        byte[] cov = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        boolean[] m = new boolean[w * h];
        for (int i = 0; i < m.length; i++) {
            m[i] = (cov[i] & 255) >= 128;
        }
        return m;
    }

    @Test
    void occlusionNeverHidesMoreThanTheMaximum() {
        double maxOcc = 0.3;
        SyntheticSceneRenderer r = new SyntheticSceneRenderer(base().minObjects(6).maxObjects(8).minScale(0.2)
                .maxScale(0.6).occlusionProbability(1).maxOcclusion(maxOcc).build());
        int occluded = 0;
        for (int i = 0; i < 30; i++) {
            SyntheticScene s = r.render(SyntheticSplit.TRAIN, i);
            int[] inst = s.instanceMap();
            for (int k = 0; k < s.objects().size(); k++) {
                SyntheticObject o = s.objects().get(k);
                boolean[] full = fullMask(o, s.width(), s.height());
                int fullCount = 0;
                int visible = 0;
                for (int p = 0; p < full.length; p++) {
                    fullCount += full[p] ? 1 : 0;
                    visible += inst[p] == k ? 1 : 0;
                    assertTrue(inst[p] != k || full[p], "visible pixel outside the object's own mask");
                }
                assertEquals(fullCount, o.fullArea(), "full area of " + o);
                assertEquals(visible, o.visibleArea(), "visible area of " + o);
                int[] b = bounds(full, s.width());
                int[] box = o.bbox();
                assertTrue(b[0] >= box[0] && b[1] >= box[1] && b[2] < box[0] + box[2] && b[3] < box[1] + box[3]
                        && box[2] - (b[2] - b[0] + 1) <= 4 && box[3] - (b[3] - b[1] + 1) <= 4,
                        "occluded objects keep their full box: " + o);
                assertTrue(1 - o.visibleFraction() <= maxOcc + 1e-12, "image " + i + " " + o);
                if (visible < fullCount) {
                    occluded++;
                }
            }
        }
        assertTrue(occluded > 20, "occlusion happened (" + occluded + " occluded objects)");
    }

    @Test
    void withoutOcclusionObjectsDoNotOverlap() {
        SyntheticSceneRenderer r = new SyntheticSceneRenderer(base().minObjects(5).maxObjects(8).minScale(0.15)
                .maxScale(0.5).occlusionProbability(0).build());
        for (int i = 0; i < 30; i++) {
            SyntheticScene s = r.render(SyntheticSplit.VAL, i);
            for (SyntheticObject o : s.objects()) {
                assertEquals(o.fullArea(), o.visibleArea(), "image " + i + " " + o);
            }
        }
    }

    @Test
    void fullyHiddenObjectsAreNotAnnotated() {
        SyntheticSceneRenderer r = new SyntheticSceneRenderer(base().minObjects(12).maxObjects(12).minScale(0.3)
                .maxScale(0.9).occlusionProbability(1).maxOcclusion(1).build());
        int hidden = 0;
        for (int i = 0; i < 20; i++) {
            SyntheticScene s = r.render(SyntheticSplit.TRAIN, i);
            hidden += s.droppedHidden();
            assertEquals(12, s.objects().size() + s.droppedHidden() + s.droppedNoRoom());
            int[] counts = new int[s.objects().size()];
            for (int v : s.instanceMap()) {
                if (v >= 0) {
                    counts[v]++;
                }
            }
            for (int k = 0; k < counts.length; k++) {
                assertTrue(counts[k] >= 1, "annotated object " + k + " has visible pixels");
                assertEquals(counts[k], s.objects().get(k).visibleArea());
            }
        }
        assertTrue(hidden > 0, "some objects were hidden completely");
    }

    @Test
    void sizesAndAspectRatiosStayInTheirRanges() {
        double minS = 0.08, maxS = 0.5, maxA = 2;
        SyntheticSceneRenderer r = new SyntheticSceneRenderer(base().imageWidth(200).imageHeight(150)
                .classes(List.of("square")).minObjects(1).maxObjects(3).minScale(minS).maxScale(maxS)
                .maxAspectRatio(maxA).occlusionProbability(1).maxOcclusion(1).build());
        double m = 150;
        double lo = Double.MAX_VALUE, hi = 0, aLo = Double.MAX_VALUE, aHi = 0;
        for (int i = 0; i < 150; i++) {
            for (SyntheticObject o : r.render(SyntheticSplit.TRAIN, i).objects()) {
                int[] b = o.bbox();
                double size = Math.sqrt((double) b[2] * b[3]);
                double aspect = (double) b[2] / b[3];
                assertTrue(size >= minS * m - 1 && size <= maxS * m + 1, "size " + size + " of " + o);
                assertTrue(aspect >= 1 / maxA * (1 - 1 / (minS * m / Math.sqrt(maxA) - 1)) - 1e-9
                        && aspect <= maxA * (1 + 1 / (minS * m / Math.sqrt(maxA) - 1)), "aspect " + aspect);
                lo = Math.min(lo, size / m);
                hi = Math.max(hi, size / m);
                aLo = Math.min(aLo, aspect);
                aHi = Math.max(aHi, aspect);
            }
        }
        assertTrue(lo < minS * 1.15 && hi > maxS * 0.9, "sizes span the range: " + lo + ".." + hi);
        assertTrue(aLo < 0.6 && aHi > 1.7, "aspects span the range: " + aLo + ".." + aHi);
    }

    @Test
    void renderingIsAPureFunctionOfConfigSplitAndIndex() {
        SyntheticCocoConfig c = base().backgrounds(List.of(BackgroundKind.TEXTURED, BackgroundKind.PHOTO)).build();
        SyntheticScene a = new SyntheticSceneRenderer(c).render(SyntheticSplit.VAL, 3);
        SyntheticScene b = new SyntheticSceneRenderer(c.toBuilder().numTrainImages(999).build())
                .render(SyntheticSplit.VAL, 3);
        assertArrayEquals(a.rgb(), b.rgb(), "val images do not depend on the number of train images");
        assertArrayEquals(a.instanceMap(), b.instanceMap());
        assertEquals(a.objects().toString(), b.objects().toString());
        SyntheticSceneRenderer r = new SyntheticSceneRenderer(c);
        assertFalse(Arrays.equals(a.rgb(), r.render(SyntheticSplit.TRAIN, 3).rgb()));
        assertFalse(Arrays.equals(a.rgb(), r.render(SyntheticSplit.VAL, 4).rgb()));
        assertFalse(Arrays.equals(a.rgb(), new SyntheticSceneRenderer(c.toBuilder().seed(43).build())
                .render(SyntheticSplit.VAL, 3).rgb()));
    }

    @Test
    void colouredClassesKeepTheirColourAndBareShapesVary() {
        SyntheticSceneRenderer r = new SyntheticSceneRenderer(base().classes(List.of("blue_ring", "star"))
                .minObjects(3).maxObjects(3).build());
        Set<Integer> starHues = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            for (SyntheticObject o : r.render(SyntheticSplit.TRAIN, i).objects()) {
                int c = o.rgb();
                int red = (c >> 16) & 255, green = (c >> 8) & 255, blue = c & 255;
                if (o.syntheticClass().color() == ShapeColor.BLUE) {
                    assertTrue(blue > 190 && red < 45 && green < 85, "blue ring colour " + Integer.toHexString(c));
                } else {
                    starHues.add(Math.round(java.awt.Color.RGBtoHSB(red, green, blue, null)[0] * 12));
                }
            }
        }
        assertTrue(starHues.size() >= 4, "bare stars come in several colours: " + starHues);
    }

    @Test
    void backgroundKindsLookDifferent() {
        for (BackgroundKind k : BackgroundKind.values()) {
            SyntheticSceneRenderer r = new SyntheticSceneRenderer(base().backgrounds(List.of(k)).minObjects(0)
                    .maxObjects(0).build());
            SyntheticScene s = r.render(SyntheticSplit.TRAIN, 0);
            assertEquals(k, s.background());
            long distinct = Arrays.stream(s.rgb()).distinct().count();
            if (k == BackgroundKind.PLAIN) {
                assertEquals(1, distinct, "plain background is one colour");
            } else {
                assertTrue(distinct > 500, k + " background has texture: " + distinct + " colours");
            }
        }
    }
}
