package org.detrdistill.distill;

import org.detrdistill.distill.detrdistill.HungarianLogitsDistillation;
import org.detrdistill.distill.teachdetr.TeachDetrTerm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The distillation terms a {@link DistillationConfig} may name: term name → default λ and factory. Immutable; build
 * your own with {@link #builder()} (e.g. {@code standard().toBuilder().register(...)}) to add terms.
 *
 * <table>
 *   <caption>{@link #standard()}</caption>
 *   <tr><td>{@value HungarianLogitsDistillation#NAME}</td><td>1</td><td>DETRDistill logits distillation (METHOD §2a)</td></tr>
 *   <tr><td>{@value TeachDetrTerm#NAME}</td><td>1</td><td>Teach-DETR, teacher boxes as extra targets (§3)</td></tr>
 * </table>
 */
public final class DistillTermRegistry {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

    /** Creates one configured term. */
    @FunctionalInterface
    public interface TermFactory {
        /**
         * @param options the term's options from the config (check them with {@link TermOptions#requireOnly})
         * @throws IllegalArgumentException on bad options or when teacher and student do not allow the term, saying why
         */
        DistillTerm create(TermOptions options, TermContext context);
    }

    /**
     * One registered term.
     *
     * @param name          the name in configs and the term's {@link DistillTerm#name()}
     * @param defaultLambda λ when the config gives none (METHOD §2: 1; query relation 0.2)
     * @param description   one line for listings
     */
    public record Entry(String name, double defaultLambda, String description, TermFactory factory) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(factory, "factory");
            if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("term name must match [A-Za-z0-9_]+, got '" + name + "'");
            if (!(defaultLambda >= 0 && Double.isFinite(defaultLambda))) {
                throw new IllegalArgumentException("default lambda of '" + name + "' must be finite and >= 0, got " + defaultLambda);
            }
        }
    }

    private final Map<String, Entry> entries;

    private DistillTermRegistry(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The terms of this module (see the class comment). */
    public static DistillTermRegistry standard() {
        return builder()
                .register(HungarianLogitsDistillation.NAME, 1.0, "DETRDistill Hungarian-matching logits distillation",
                        HungarianLogitsDistillation::create)
                .register(TeachDetrTerm.NAME, 1.0, "Teach-DETR: teacher boxes as extra, score-weighted targets",
                        TeachDetrTerm::create)
                .build();
    }

    public static Builder builder() { return new Builder(); }

    /** A builder holding this registry's entries. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.entries.putAll(entries);
        return b;
    }

    /** Registered names, in registration order. */
    public List<String> names() { return List.copyOf(entries.keySet()); }

    /** @throws IllegalArgumentException naming the term and listing the registered ones */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("unknown distillation term '" + name + "'; valid: " + names());
        return e;
    }

    /** Builder. */
    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        private Builder() {}

        /** Registers a term; a name can be registered once. */
        public Builder register(String name, double defaultLambda, String description, TermFactory factory) {
            if (entries.containsKey(name)) throw new IllegalArgumentException("distillation term '" + name + "' is registered twice");
            entries.put(name, new Entry(name, defaultLambda, description, factory));
            return this;
        }

        public DistillTermRegistry build() { return new DistillTermRegistry(entries); }
    }
}
