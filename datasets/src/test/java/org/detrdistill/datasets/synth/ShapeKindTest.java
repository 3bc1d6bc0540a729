package org.detrdistill.datasets.synth;

import org.junit.jupiter.api.Test;

import java.awt.geom.Rectangle2D;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapeKindTest {

    @Test
    void everyShapeFillsItsRectangleExactly() {
        for (ShapeKind k : ShapeKind.values()) {
            Rectangle2D b = k.outline(3.5, 7, 20, 11).getBounds2D();
            assertEquals(3.5, b.getX(), 1e-9, k.label());
            assertEquals(7, b.getY(), 1e-9, k.label());
            assertEquals(20, b.getWidth(), 1e-9, k.label());
            assertEquals(11, b.getHeight(), 1e-9, k.label());
        }
    }

    @Test
    void polygonIsTheOuterContourInsideTheRectangle() {
        for (ShapeKind k : ShapeKind.values()) {
            double[] p = k.outerPolygon(10, 20, 30, 40, 0.3);
            assertTrue(p.length >= 6 && p.length % 2 == 0, k.label());
            double minX = Double.MAX_VALUE, maxX = -1, minY = Double.MAX_VALUE, maxY = -1;
            for (int i = 0; i < p.length; i += 2) {
                minX = Math.min(minX, p[i]);
                maxX = Math.max(maxX, p[i]);
                minY = Math.min(minY, p[i + 1]);
                maxY = Math.max(maxY, p[i + 1]);
            }
            // the polygon spans the rectangle (the hole of the ring is not included)
            assertEquals(10, minX, 0.3, k.label());
            assertEquals(40, maxX, 0.3, k.label());
            assertEquals(20, minY, 0.3, k.label());
            assertEquals(60, maxY, 0.3, k.label());
        }
        double[] ring = ShapeKind.RING.outerPolygon(0, 0, 100, 100, 0.1);
        for (int i = 0; i < ring.length; i += 2) {
            double r = Math.hypot(ring[i] - 50, ring[i + 1] - 50);
            assertEquals(50, r, 0.2, "ring polygon point " + i / 2 + " is on the outer circle");
        }
    }

    @Test
    void polygonAreaMatchesTheGeometry() {
        assertEquals(30 * 40, shoelace(ShapeKind.SQUARE.outerPolygon(0, 0, 30, 40, 0.1)), 1e-6);
        assertEquals(0.5 * 30 * 40, shoelace(ShapeKind.TRIANGLE.outerPolygon(0, 0, 30, 40, 0.1)), 1e-6);
        assertEquals(0.5 * 30 * 40, shoelace(ShapeKind.DIAMOND.outerPolygon(0, 0, 30, 40, 0.1)), 1e-6);
        assertEquals(5.0 / 9 * 30 * 40, shoelace(ShapeKind.CROSS.outerPolygon(0, 0, 30, 40, 0.1)), 1e-6);
        assertEquals(Math.PI * 15 * 20, shoelace(ShapeKind.CIRCLE.outerPolygon(0, 0, 30, 40, 0.01)), 2.0);
    }

    private static double shoelace(double[] p) {
        double s = 0;
        int n = p.length / 2;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            s += p[2 * i] * p[2 * j + 1] - p[2 * j] * p[2 * i + 1];
        }
        return Math.abs(s) / 2;
    }

    @Test
    void namesParseAndUnknownNamesListTheValidOnes() {
        assertEquals(ShapeKind.STAR, ShapeKind.fromName(" Star "));
        assertEquals(ShapeColor.ORANGE, ShapeColor.fromName("ORANGE"));
        assertEquals(BackgroundKind.PHOTO, BackgroundKind.fromName("photo"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShapeKind.fromName("blob"));
        assertTrue(e.getMessage().contains("circle, square, triangle, star, ring, cross, diamond, hexagon"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShapeColor.fromName(null));
        assertThrows(IllegalArgumentException.class, () -> BackgroundKind.fromName("noise"));
    }
}
