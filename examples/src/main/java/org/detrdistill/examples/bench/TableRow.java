package org.detrdistill.examples.bench;

import org.detrdistill.distill.DistillTermRegistry;
import org.detrdistill.distill.DistillationConfig;
import org.detrdistill.distill.TeacherSpec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One row of the distillation table: a set of distillation terms with their λ, trained on top of the student's
 * detection loss ({@code L = L_det + Σ λ_term · L_term}). The row with no terms is the student alone. Rows are data:
 * a row naming a term the registry does not hold (e.g. the query-prior term before it is merged) is reported as
 * {@code n/a} instead of failing ({@link #missingTerms}).
 *
 * @param key        short name for options and folders ({@code student}, {@code logits}, ...)
 * @param label      the row's label in the table
 * @param terms      term name → λ, in order (empty = the student alone)
 * @param inDefault  whether the row is run when {@code --rows} is not given
 */
public record TableRow(String key, String label, Map<String, Double> terms, boolean inDefault) {
    /** The registry name of DETRDistill's query-prior assignment term (METHOD §2c). */
    public static final String QUERY_PRIOR_TERM = "kd_assign";
    private static final Pattern KEY = Pattern.compile("[a-z0-9_]+");

    public TableRow {
        Objects.requireNonNull(label, "label");
        if (key == null || !KEY.matcher(key).matches()) throw new IllegalArgumentException("row key must match [a-z0-9_]+, got " + key);
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
        terms.forEach((t, l) -> {
            if (l == null || !(l >= 0) || Double.isInfinite(l)) throw new IllegalArgumentException("row " + key + ": λ of " + t + " must be >= 0, got " + l);
        });
    }

    /**
     * The rows of the paper's comparison (METHOD §2e, §3, §4), default λ from METHOD: 1 per term, 0.2 for the query
     * relation. "all" is the official DETRDistill: logits + feature + query-prior + query relation. The extra row
     * {@code logits_feature} (the paper's ablation "logits + feature") runs only when asked for.
     */
    public static List<TableRow> standard() {
        return List.of(
                new TableRow("student", "student alone", Map.of(), true),
                new TableRow("logits", "+ logits", Map.of("kd_logits", 1.0), true),
                new TableRow("feature", "+ feature", Map.of("kd_feat", 1.0), true),
                new TableRow("qprior", "+ query-prior", Map.of(QUERY_PRIOR_TERM, 1.0), true),
                new TableRow("logits_feature", "+ logits + feature", ordered("kd_logits", 1.0, "kd_feat", 1.0), false),
                new TableRow("all", "+ all (DETRDistill)", ordered("kd_logits", 1.0, "kd_feat", 1.0, QUERY_PRIOR_TERM, 1.0,
                        "kd_relation", 0.2), true),
                new TableRow("teachdetr", "Teach-DETR", Map.of("teach_detr", 1.0), true),
                new TableRow("fitnet", "FitNet", Map.of("fitnet", 1.0), true),
                new TableRow("mgd", "MGD", Map.of("mgd", 1.0), true));
    }

    /** Keys of the rows run by default. */
    public static List<String> defaultKeys() {
        return standard().stream().filter(TableRow::inDefault).map(TableRow::key).toList();
    }

    /** Whether this is the student-alone row (no distillation term). */
    public boolean isBaseline() { return terms.isEmpty(); }

    /** The terms of this row that {@code registry} does not hold (empty = the row can run). */
    public List<String> missingTerms(DistillTermRegistry registry) {
        return terms.keySet().stream().filter(t -> !registry.names().contains(t)).toList();
    }

    /** This row with some λ replaced ({@code term → λ}; every term must be one of the row's). */
    public TableRow withLambdas(Map<String, Double> override) {
        Map<String, Double> t = new LinkedHashMap<>(terms);
        override.forEach((k, v) -> {
            if (!t.containsKey(k)) throw new IllegalArgumentException("row " + key + " has no term " + k + "; terms: " + t.keySet());
            t.put(k, v);
        });
        return new TableRow(key, label, t, inDefault);
    }

    /**
     * The distillation config of this row.
     *
     * @throws IllegalStateException for the student-alone row (it has no distillation)
     */
    public DistillationConfig config(TeacherSpec teacher) {
        if (isBaseline()) throw new IllegalStateException("the row '" + key + "' has no distillation term");
        DistillationConfig.Builder b = DistillationConfig.builder(teacher);
        terms.forEach(b::term);
        return b.build();
    }

    /** The terms as {@code name λ, ...} ({@code –} for none). */
    public String describeTerms() {
        if (terms.isEmpty()) return "–";
        return terms.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %s", e.getKey(), trim(e.getValue())))
                .collect(Collectors.joining(", "));
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Double) kv[i + 1]);
        return m;
    }
}
