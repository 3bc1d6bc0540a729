package org.detrdistill.datasets.synth;

import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The geometric shapes the synthetic generator can draw. Each shape exactly fills the rectangle it is given: its
 * outline touches all four sides, so the drawn pixels have the same bounding box as the rectangle (up to
 * rasterisation). Shapes are axis-aligned and not rotated, so that e.g. a square never looks like a diamond.
 *
 * <p>Names are lower case ({@code circle}, {@code square}, ...); {@link #fromName(String)} fails on an unknown name
 * and lists the valid ones.</p>
 */
public enum ShapeKind {
    /** A filled ellipse (a circle when the box is square). */
    CIRCLE,
    /** A filled axis-aligned rectangle. */
    SQUARE,
    /** An isosceles triangle, apex at the top centre, base along the bottom. */
    TRIANGLE,
    /** A five-pointed star, one point up (inner radius 0.45 of the outer). */
    STAR,
    /** An annulus: an ellipse with an elliptical hole of 0.55 of its size. */
    RING,
    /** A plus sign with arms one third of the box thick. */
    CROSS,
    /** A rhombus with its vertices at the midpoints of the box sides. */
    DIAMOND,
    /** A regular hexagon with flat top and bottom edges. */
    HEXAGON;

    /** Ratio of the hole of {@link #RING} to its outer size. */
    static final double RING_HOLE = 0.55;
    private static final double STAR_INNER = 0.45;

    /** The lower-case name used in configs and category names, e.g. {@code "circle"}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The shape with the given lower- or upper-case name.
     *
     * @throws IllegalArgumentException naming the unknown shape and listing the valid names
     */
    public static ShapeKind fromName(String name) {
        if (name != null) {
            for (ShapeKind k : values()) {
                if (k.label().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
        }
        throw new IllegalArgumentException("unknown shape '" + name + "'; valid shapes: " + validNames());
    }

    /** Comma-separated list of all shape names, for error messages. */
    public static String validNames() {
        return Arrays.stream(values()).map(ShapeKind::label).collect(Collectors.joining(", "));
    }

    /**
     * The outline of this shape filling the rectangle {@code (x, y, w, h)} (pixels, y down). For {@link #RING} the
     * path has two sub-paths, outer first, and uses the even-odd rule; every other shape is a single closed sub-path.
     */
    public Shape outline(double x, double y, double w, double h) {
        Shape unit = unitShape();
        Rectangle2D b = unit.getBounds2D();
        AffineTransform t = new AffineTransform();
        t.translate(x, y);
        t.scale(w / b.getWidth(), h / b.getHeight());
        t.translate(-b.getX(), -b.getY());
        return t.createTransformedShape(unit);
    }

    /**
     * The outer contour of {@link #outline} as a COCO polygon {@code [x1,y1,x2,y2,...]} (pixels), curves flattened
     * to within {@code flatness} pixels. The hole of a ring is not part of it (COCO polygons cannot express holes).
     */
    public double[] outerPolygon(double x, double y, double w, double h, double flatness) {
        PathIterator it = outline(x, y, w, h).getPathIterator(null, flatness);
        List<double[]> pts = new ArrayList<>();
        double[] c = new double[6];
        while (!it.isDone()) {
            int seg = it.currentSegment(c);
            if (seg == PathIterator.SEG_MOVETO && !pts.isEmpty()) {
                break; // the outer contour is the first sub-path
            }
            if (seg == PathIterator.SEG_MOVETO || seg == PathIterator.SEG_LINETO) {
                pts.add(new double[] {c[0], c[1]});
            }
            it.next();
        }
        if (pts.size() > 1) {
            double[] first = pts.get(0);
            double[] last = pts.get(pts.size() - 1);
            if (Math.abs(first[0] - last[0]) < 1e-9 && Math.abs(first[1] - last[1]) < 1e-9) {
                pts.remove(pts.size() - 1);
            }
        }
        double[] poly = new double[pts.size() * 2];
        for (int i = 0; i < pts.size(); i++) {
            poly[2 * i] = pts.get(i)[0];
            poly[2 * i + 1] = pts.get(i)[1];
        }
        return poly;
    }

    private Shape unitShape() {
        switch (this) {
            case CIRCLE:
                return new Ellipse2D.Double(0, 0, 1, 1);
            case SQUARE:
                return new Rectangle2D.Double(0, 0, 1, 1);
            case TRIANGLE:
                return polygon(0.5, 0, 1, 1, 0, 1);
            case STAR: {
                double[] p = new double[20];
                for (int i = 0; i < 10; i++) {
                    double r = (i % 2 == 0) ? 1.0 : STAR_INNER;
                    double a = -Math.PI / 2 + i * Math.PI / 5;
                    p[2 * i] = r * StrictMath.cos(a);
                    p[2 * i + 1] = r * StrictMath.sin(a);
                }
                return polygon(p);
            }
            case RING: {
                Path2D.Double ring = new Path2D.Double(Path2D.WIND_EVEN_ODD);
                ring.append(new Ellipse2D.Double(0, 0, 1, 1), false);
                double o = (1 - RING_HOLE) / 2;
                ring.append(new Ellipse2D.Double(o, o, RING_HOLE, RING_HOLE), false);
                return ring;
            }
            case CROSS: {
                double a = 1.0 / 3, b = 2.0 / 3;
                return polygon(a, 0, b, 0, b, a, 1, a, 1, b, b, b, b, 1, a, 1, a, b, 0, b, 0, a, a, a);
            }
            case DIAMOND:
                return polygon(0.5, 0, 1, 0.5, 0.5, 1, 0, 0.5);
            case HEXAGON: {
                double[] p = new double[12];
                for (int i = 0; i < 6; i++) {
                    double a = i * Math.PI / 3;
                    p[2 * i] = StrictMath.cos(a);
                    p[2 * i + 1] = StrictMath.sin(a);
                }
                return polygon(p);
            }
            default:
                throw new IllegalStateException("no geometry for " + this);
        }
    }

    private static Path2D polygon(double... xy) {
        Path2D.Double p = new Path2D.Double(Path2D.WIND_NON_ZERO);
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }
}
