package org.detrdistill.datasets.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One object class of the synthetic dataset: a shape, optionally bound to a colour.
 *
 * <p>Names: a bare shape ({@code "circle"}) is drawn in a random palette colour per object, so only its geometry
 * identifies it; a colour-crossed name ({@code "red_circle"}) is always drawn in that colour. The name is also the
 * COCO category name.</p>
 *
 * @param shape the geometry
 * @param color the fixed colour, or {@code null} for a random palette colour per object
 */
public record SyntheticClass(ShapeKind shape, ShapeColor color) {

    public SyntheticClass {
        Objects.requireNonNull(shape, "shape");
    }

    /**
     * Parses {@code "<shape>"} or {@code "<colour>_<shape>"} (case-insensitive, surrounding spaces ignored).
     *
     * @throws IllegalArgumentException naming the bad part and listing the valid shapes or colours
     */
    public static SyntheticClass parse(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("empty class name; expected '<shape>' or '<colour>_<shape>', shapes: "
                    + ShapeKind.validNames());
        }
        String s = name.trim();
        int us = s.indexOf('_');
        if (us < 0) {
            return new SyntheticClass(ShapeKind.fromName(s), null);
        }
        if (s.indexOf('_', us + 1) >= 0) {
            throw new IllegalArgumentException("class name '" + name + "' has more than one '_'; expected '<shape>' or "
                    + "'<colour>_<shape>'");
        }
        ShapeColor color;
        ShapeKind shape;
        try {
            color = ShapeColor.fromName(s.substring(0, us));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("class '" + name + "': " + e.getMessage(), e);
        }
        try {
            shape = ShapeKind.fromName(s.substring(us + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("class '" + name + "': " + e.getMessage(), e);
        }
        return new SyntheticClass(shape, color);
    }

    /**
     * All combinations of the given colours and shapes, colour-major: {@code crossed(["red","blue"],
     * ["circle","square"])} gives {@code red_circle, red_square, blue_circle, blue_square}.
     */
    public static List<String> crossed(List<String> colors, List<String> shapes) {
        List<String> out = new ArrayList<>();
        for (String c : colors) {
            for (String sh : shapes) {
                out.add(new SyntheticClass(ShapeKind.fromName(sh), ShapeColor.fromName(c)).name());
            }
        }
        return out;
    }

    /** The fixed colour, if any. */
    public Optional<ShapeColor> fixedColor() {
        return Optional.ofNullable(color);
    }

    /** Canonical name, also the COCO category name: {@code "circle"} or {@code "red_circle"}. */
    public String name() {
        return color == null ? shape.label() : color.label() + "_" + shape.label();
    }

    @Override
    public String toString() {
        return name();
    }
}
