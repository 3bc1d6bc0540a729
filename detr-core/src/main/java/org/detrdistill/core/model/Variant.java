package org.detrdistill.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The detector variants the framework builds. JSON and CLI names: {@code deformable_detr}, {@code conditional_detr}, {@code adamixer}. */
public enum Variant {
    DEFORMABLE_DETR("deformable_detr"),
    CONDITIONAL_DETR("conditional_detr"),
    ADAMIXER("adamixer");

    private final String id;

    Variant(String id) { this.id = id; }

    /** The JSON/CLI name. */
    @JsonValue
    public String id() { return id; }

    /**
     * The variant called {@code name} (case-insensitive; '-' and '_' are interchangeable).
     *
     * @throws IllegalArgumentException naming the valid variants
     */
    @JsonCreator
    public static Variant of(String name) {
        String n = name == null ? "" : name.trim().toLowerCase().replace('-', '_');
        for (Variant v : values()) if (v.id.equals(n)) return v;
        throw new IllegalArgumentException("unknown detector variant '" + name + "'; valid variants: " + names());
    }

    /** The valid names, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(Variant::id).collect(Collectors.joining(", "));
    }

    @Override public String toString() { return id; }
}
