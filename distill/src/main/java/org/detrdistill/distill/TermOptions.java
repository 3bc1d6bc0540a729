package org.detrdistill.distill;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of one distillation term as given in a {@link DistillationConfig} (the JSON object of the term without
 * its {@code lambda}), with typed, checked access. Values are what Jackson reads: numbers, booleans, strings, lists and
 * maps. Every accessor names the context (e.g. {@code terms.kd_logits}) and the option in its error message.
 *
 * <pre>{@code
 * TermOptions o = new TermOptions("terms.kd_logits", spec.options());
 * o.requireOnly(Set.of("splitPositives", "tauPos", "lambdaNeg"));   // unknown names fail, listing the valid ones
 * double tau = o.getDouble("tauPos", 0.5);
 * }</pre>
 */
public final class TermOptions {
    private final String where;
    private final Map<String, Object> values;

    /**
     * @param where  where the options come from, for messages (e.g. {@code terms.kd_logits})
     * @param values option name → value; copied
     */
    public TermOptions(String where, Map<String, ?> values) {
        this.where = Objects.requireNonNull(where, "where");
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values == null ? Map.of() : values));
    }

    /** No options. */
    public static TermOptions empty(String where) {
        return new TermOptions(where, Map.of());
    }

    /** Where the options come from (for messages). */
    public String where() { return where; }

    /** The raw values, insertion-ordered, unmodifiable. */
    public Map<String, Object> values() { return values; }

    public boolean has(String name) { return values.containsKey(name); }

    /**
     * @throws IllegalArgumentException naming every unknown option and listing the valid ones
     */
    public TermOptions requireOnly(Set<String> valid) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(valid);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(where + ": unknown option" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + "; valid: " + new TreeSet<>(valid));
        }
        return this;
    }

    /** A finite number, or {@code fallback} when absent. */
    public double getDouble(String name, double fallback) {
        Object v = values.get(name);
        if (v == null) return fallback;
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw bad(name, v, "a finite number");
        }
        return n.doubleValue();
    }

    /** An integer, or {@code fallback} when absent. */
    public int getInt(String name, int fallback) {
        Object v = values.get(name);
        if (v == null) return fallback;
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
            throw bad(name, v, "an integer");
        }
        return n.intValue();
    }

    /** A boolean, or {@code fallback} when absent. */
    public boolean getBoolean(String name, boolean fallback) {
        Object v = values.get(name);
        if (v == null) return fallback;
        if (!(v instanceof Boolean b)) throw bad(name, v, "true or false");
        return b;
    }

    /** A string, or {@code fallback} when absent. */
    public String getString(String name, String fallback) {
        Object v = values.get(name);
        if (v == null) return fallback;
        if (!(v instanceof String s)) throw bad(name, v, "a string");
        return s;
    }

    /** A list of JSON objects, or an empty list when absent. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> getObjects(String name) {
        Object v = values.get(name);
        if (v == null) return List.of();
        if (!(v instanceof List<?> list)) throw bad(name, v, "a list of objects");
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?>)) throw bad(name + "[" + i + "]", list.get(i), "an object");
        }
        return (List<Map<String, Object>>) list;
    }

    private IllegalArgumentException bad(String name, Object v, String expected) {
        return new IllegalArgumentException(where + ": option '" + name + "' must be " + expected + ", got " + v);
    }

    @Override public String toString() { return where + values; }
}
