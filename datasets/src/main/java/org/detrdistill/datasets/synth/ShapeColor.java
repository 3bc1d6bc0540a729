package org.detrdistill.datasets.synth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The palette of object colours: saturated, well separated colours so that a colour-crossed class set
 * ({@code red_circle}, {@code blue_circle}, ...) stays learnable. Names are lower case; {@link #fromName(String)}
 * fails on an unknown name and lists the valid ones.
 */
public enum ShapeColor {
    /** (220, 30, 30) */
    RED(220, 30, 30),
    /** (30, 180, 40) */
    GREEN(30, 180, 40),
    /** (35, 70, 225) */
    BLUE(35, 70, 225),
    /** (245, 215, 30) */
    YELLOW(245, 215, 30),
    /** (30, 210, 220) */
    CYAN(30, 210, 220),
    /** (215, 40, 200) */
    MAGENTA(215, 40, 200),
    /** (250, 130, 20) */
    ORANGE(250, 130, 20),
    /** (120, 50, 170) */
    PURPLE(120, 50, 170),
    /** (245, 245, 245) */
    WHITE(245, 245, 245),
    /** (20, 20, 20) */
    BLACK(20, 20, 20);

    private final int r;
    private final int g;
    private final int b;

    ShapeColor(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    /** The lower-case name used in class names, e.g. {@code "red"}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Packed {@code 0xRRGGBB}. */
    public int rgb() {
        return (r << 16) | (g << 8) | b;
    }

    /**
     * The colour with the given lower- or upper-case name.
     *
     * @throws IllegalArgumentException naming the unknown colour and listing the valid names
     */
    public static ShapeColor fromName(String name) {
        if (name != null) {
            for (ShapeColor c : values()) {
                if (c.label().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("unknown colour '" + name + "'; valid colours: " + validNames());
    }

    /** Comma-separated list of all colour names, for error messages. */
    public static String validNames() {
        return Arrays.stream(values()).map(ShapeColor::label).collect(Collectors.joining(", "));
    }
}
