package org.detrdistill.datasets.synth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the background of a synthetic image is made. A config lists one or more kinds; each image picks one of them
 * uniformly at random. In JSON the kinds are written by their lower-case names.
 */
public enum BackgroundKind {
    /** One muted (low-saturation) colour over the whole image. */
    PLAIN,
    /** A linear gradient between two muted colours plus smooth multi-octave value noise (colour clouds). */
    TEXTURED,
    /**
     * A random crop of one of the bundled photographs (see {@code backgrounds/LICENSES.md}), scaled to the image size,
     * randomly flipped, tinted and brightened.
     */
    PHOTO;

    /** The lower-case name used in JSON, e.g. {@code "plain"}. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind with the given lower- or upper-case name.
     *
     * @throws IllegalArgumentException naming the unknown kind and listing the valid names
     */
    @JsonCreator
    public static BackgroundKind fromName(String name) {
        if (name != null) {
            for (BackgroundKind k : values()) {
                if (k.label().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
        }
        throw new IllegalArgumentException("unknown background kind '" + name + "'; valid kinds: "
                + Arrays.stream(values()).map(BackgroundKind::label).collect(Collectors.joining(", ")));
    }
}
