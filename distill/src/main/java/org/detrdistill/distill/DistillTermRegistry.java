package org.detrdistill.distill;

import org.detrdistill.distill.baseline.FitNetDistillation;
import org.detrdistill.distill.baseline.MaskedGenerativeDistillation;
import org.detrdistill.distill.detrdistill.HungarianLogitsDistillation;
import org.detrdistill.distill.detrdistill.QueryPriorAssignmentDistillation;
import org.detrdistill.distill.detrdistill.QueryRelationDistillation;
import org.detrdistill.distill.detrdistill.TargetAwareFeatureDistillation;
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
 *   <tr><td>{@code kd_feat}</td><td>1</td><td>DETRDistill target-aware feature distillation (§2b)</td></tr>
 *   <tr><td>{@code kd_relation}</td><td>0.2</td><td>DETRDistill query relation, InfoNCE (§2d)</td></tr>
 *   <tr><td>{@value QueryPriorAssignmentDistillation#NAME}</td><td>1</td><td>DETRDistill query-prior assignment
 *   distillation: the teacher's queries as an extra query group of the student, trained towards the teacher's own
 *   assignment (§2c)</td></tr>
 *   <tr><td>{@code fitnet}</td><td>1</td><td>FitNet feature imitation baseline (§4)</td></tr>
 *   <tr><td>{@code mgd}</td><td>1</td><td>MGD masked generative distillation baseline (§4; α inside the term)</td></tr>
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
                .register(TargetAwareFeatureDistillation.NAME, 1.0, "DETRDistill target-aware feature distillation",
                        (o, c) -> {
                            o.requireOnly(java.util.Set.of("topK", "teacherWidth", "seed"));
                            var d = TargetAwareFeatureDistillation.Options.defaults();
                            return new TargetAwareFeatureDistillation(c.student(), c.teacher(), new TargetAwareFeatureDistillation.Options(
                                    o.getInt("topK", d.topK()), teacherWidth(o, c), o.getInt("seed", (int) d.seed())));
                        })
                .register(QueryRelationDistillation.NAME, 0.2, "DETRDistill query relation (InfoNCE)",
                        (o, c) -> {
                            o.requireOnly(java.util.Set.of("projectionDim", "temperature", "teacherWidth", "seed"));
                            var d = QueryRelationDistillation.Options.defaults();
                            return new QueryRelationDistillation(c.student(), c.teacher(), new QueryRelationDistillation.Options(
                                    o.getInt("projectionDim", d.projectionDim()), o.getDouble("temperature", d.temperature()),
                                    d.weight(), teacherWidth(o, c), d.matcher(), o.getInt("seed", (int) d.seed())));
                        })
                .register(QueryPriorAssignmentDistillation.NAME, 1.0, "DETRDistill query-prior assignment distillation",
                        QueryPriorAssignmentDistillation::create)
                .register(FitNetDistillation.NAME, 1.0, "FitNet feature imitation (baseline)",
                        (o, c) -> {
                            o.requireOnly(java.util.Set.of("teacherWidth", "seed"));
                            return new FitNetDistillation(c.student(), c.teacher(),
                                    new FitNetDistillation.Options(teacherWidth(o, c), o.getInt("seed", 0)));
                        })
                .register(MaskedGenerativeDistillation.NAME, 1.0, "MGD masked generative distillation (baseline)",
                        (o, c) -> {
                            o.requireOnly(java.util.Set.of("maskRatio", "alpha", "teacherWidth", "seed"));
                            var d = MaskedGenerativeDistillation.Options.defaults();
                            return new MaskedGenerativeDistillation(c.student(), c.teacher(), new MaskedGenerativeDistillation.Options(
                                    o.getDouble("maskRatio", d.maskRatio()), o.getDouble("alpha", d.alpha()), teacherWidth(o, c),
                                    o.getInt("seed", (int) d.seed())));
                        })
                .build();
    }

    /** The teacher's model width: the option if given, else a detector teacher's own, else 0 (= the student's). */
    private static int teacherWidth(TermOptions o, TermContext c) {
        if (o.has("teacherWidth")) return o.getInt("teacherWidth", 0);
        return c.teacher() instanceof org.detrdistill.distill.teacher.DetectorTeacher d ? d.hiddenDim() : 0;
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
