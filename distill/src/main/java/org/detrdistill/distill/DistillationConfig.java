package org.detrdistill.distill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What to distill: the teacher and the terms with their λ and options. The total loss is
 * {@code L = L_det + Σ_terms λ_term · Σ_k L_term^k}; a term without a λ takes its registry default (METHOD §2: 1 for
 * every term, 0.2 for query relation). Term names are checked against a {@link DistillTermRegistry} when the
 * distillation is built ({@link #validate}); each term checks its own options.
 *
 * <pre>{@code
 * {
 *   "teacher": {"checkpoint": "runs/teacher/best.zip", "scoreThreshold": 0.3, "maxPerImage": 50},
 *   "terms": {
 *     "kd_logits":  {"lambda": 1.0, "splitPositives": false},
 *     "teach_detr": {"primary": false, "teachers": [{"name": "retina", "results": "retina.json", "lambda": 1.0}]}
 *   }
 * }
 * }</pre>
 * In a term's object {@code lambda} is its λ; every other field is an option of the term.
 *
 * @param teacher the main teacher (every term that needs one uses it)
 * @param terms   term name → its λ and options, insertion-ordered (at least one)
 */
public record DistillationConfig(TeacherSpec teacher, Map<String, TermSpec> terms) {
    private static final Set<String> FIELDS = Set.of("teacher", "terms");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * One term of the configuration.
     *
     * @param lambda  its λ, or null for the registry default
     * @param options its options (plain JSON values), checked by the term
     */
    public record TermSpec(Double lambda, Map<String, Object> options) {
        public TermSpec {
            if (lambda != null && !(lambda >= 0 && Double.isFinite(lambda))) {
                throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
            }
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options == null ? Map.of() : options));
            if (options.containsKey("lambda")) throw new IllegalArgumentException("'lambda' is not an option: set it as the λ");
        }
    }

    public DistillationConfig {
        Objects.requireNonNull(teacher, "teacher");
        Objects.requireNonNull(terms, "terms");
        if (terms.isEmpty()) throw new IllegalArgumentException("a distillation config needs at least one term");
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
    }

    /**
     * @throws IllegalArgumentException naming every unknown term and listing the registry's terms
     */
    public void validate(DistillTermRegistry registry) {
        Set<String> unknown = new TreeSet<>(terms.keySet());
        unknown.removeAll(registry.names());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown distillation term" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + "; valid: " + registry.names());
        }
    }

    /** λ of {@code term}: the configured value or the registry's default. */
    public double lambda(String term, DistillTermRegistry registry) {
        TermSpec s = terms.get(term);
        if (s == null) throw new IllegalArgumentException("term '" + term + "' is not configured; configured: " + terms.keySet());
        return s.lambda() != null ? s.lambda() : registry.entry(term).defaultLambda();
    }

    /** The options of {@code term} for its factory. */
    public TermOptions options(String term) {
        TermSpec s = terms.get(term);
        if (s == null) throw new IllegalArgumentException("term '" + term + "' is not configured; configured: " + terms.keySet());
        return new TermOptions("terms." + term, s.options());
    }

    public static Builder builder(TeacherSpec teacher) { return new Builder(teacher); }

    /** The configuration as indented JSON (read back by {@link #fromJson}). */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("teacher", teacher.toMap());
        Map<String, Object> t = new LinkedHashMap<>();
        terms.forEach((name, spec) -> {
            Map<String, Object> o = new LinkedHashMap<>();
            if (spec.lambda() != null) o.put("lambda", spec.lambda());
            o.putAll(spec.options());
            t.put(name, o);
        });
        root.put("terms", t);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a configuration.
     *
     * @param source named in messages (a file name)
     * @throws IllegalArgumentException on malformed JSON, an unknown field (listing the valid ones) or a bad value,
     *                                  naming {@code source} and the field
     */
    public static DistillationConfig fromJson(String json, String source) {
        Map<String, Object> root;
        try {
            root = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid distillation config " + source + ": " + e.getOriginalMessage(), e);
        }
        try {
            if (root == null) throw new IllegalArgumentException("expected a JSON object");
            for (String k : root.keySet()) {
                if (!FIELDS.contains(k)) throw new IllegalArgumentException("unknown field '" + k + "'; valid: " + new TreeSet<>(FIELDS));
            }
            if (!(root.get("teacher") instanceof Map<?, ?> teacher)) {
                throw new IllegalArgumentException("'teacher' must be an object with 'checkpoint' or 'results'");
            }
            if (!(root.get("terms") instanceof Map<?, ?> terms)) {
                throw new IllegalArgumentException("'terms' must be an object: term name -> {lambda, options...}");
            }
            Builder b = builder(TeacherSpec.fromMap(asMap(teacher), "teacher", Set.of()));
            for (Map.Entry<?, ?> e : terms.entrySet()) {
                String name = String.valueOf(e.getKey());
                if (!(e.getValue() instanceof Map<?, ?> term)) throw new IllegalArgumentException("terms." + name + " must be an object");
                Map<String, Object> options = new LinkedHashMap<>(asMap(term));
                Object lambda = options.remove("lambda");
                if (lambda != null && !(lambda instanceof Number)) {
                    throw new IllegalArgumentException("terms." + name + ".lambda must be a number, got " + lambda);
                }
                try {
                    b.term(name, lambda == null ? null : ((Number) lambda).doubleValue(), options);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("terms." + name + ": " + ex.getMessage(), ex);
                }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid distillation config " + source + ": " + e.getMessage(), e);
        }
    }

    /** Reads a configuration file (see {@link #fromJson}). */
    public static DistillationConfig read(Path file) {
        try {
            return fromJson(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read distillation config " + file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** Builder: the teacher, then terms in order. */
    public static final class Builder {
        private final TeacherSpec teacher;
        private final Map<String, TermSpec> terms = new LinkedHashMap<>();

        private Builder(TeacherSpec teacher) { this.teacher = teacher; }

        /** A term with its default λ and no options. */
        public Builder term(String name) { return term(name, null, Map.of()); }

        /** A term with λ and no options. */
        public Builder term(String name, double lambda) { return term(name, lambda, Map.of()); }

        /** A term with λ (null = default) and options. */
        public Builder term(String name, Double lambda, Map<String, ?> options) {
            if (terms.containsKey(name)) throw new IllegalArgumentException("term '" + name + "' is configured twice");
            terms.put(Objects.requireNonNull(name, "name"), new TermSpec(lambda, new LinkedHashMap<>(options)));
            return this;
        }

        public DistillationConfig build() { return new DistillationConfig(teacher, terms); }
    }
}
