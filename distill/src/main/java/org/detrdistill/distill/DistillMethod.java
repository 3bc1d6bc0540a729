package org.detrdistill.distill;

import org.detrdistill.distill.DistillationConfig.TermSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Named distillation methods — which terms of the {@link DistillTermRegistry} a method switches on, each at its
 * registry-default λ — and the assembly of a {@link DistillationConfig} from a method (or any term map, e.g. a config
 * file's), λ overrides and a list of teachers. The {@code distill} command and the {@code DistillDetector} example
 * both build their config with {@link #compose}.
 *
 * <table>
 *   <caption>methods</caption>
 *   <tr><th>id</th><th>terms (default λ)</th></tr>
 *   <tr><td>{@code detrdistill}</td><td>{@code kd_logits} (1), {@code kd_feat} (1), {@code kd_assign} (1), {@code kd_relation} (0.2): METHOD §2a-d</td></tr>
 *   <tr><td>{@code teach-detr}</td><td>{@code teach_detr} (1): METHOD §3</td></tr>
 *   <tr><td>{@code fitnet}</td><td>{@code fitnet} (1): baseline, METHOD §4</td></tr>
 *   <tr><td>{@code mgd}</td><td>{@code mgd} (1): baseline, METHOD §4</td></tr>
 *   <tr><td>{@code none}</td><td>no term: the student trains on the ground truth alone (the "without KD" baseline)</td></tr>
 * </table>
 */
public enum DistillMethod {
    DETRDISTILL("detrdistill", "DETRDistill: Hungarian logits, target-aware feature, query-prior assignment and "
            + "query-relation distillation", "kd_logits", "kd_feat", "kd_assign", "kd_relation"),
    TEACH_DETR("teach-detr", "Teach-DETR: the teachers' boxes as extra, score-weighted targets", "teach_detr"),
    FITNET("fitnet", "FitNet feature imitation (baseline)", "fitnet"),
    MGD("mgd", "MGD masked generative distillation (baseline)", "mgd"),
    NONE("none", "no distillation: the detection loss alone");

    private final String id;
    private final String description;
    private final List<String> terms;

    DistillMethod(String id, String description, String... terms) {
        this.id = id;
        this.description = description;
        this.terms = List.of(terms);
    }

    /** The name on the command line, e.g. {@code teach-detr}. */
    public String id() { return id; }

    /** One line for listings. */
    public String description() { return description; }

    /** The registry terms the method switches on, in order. */
    public List<String> terms() { return terms; }

    /** Every method's id, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(DistillMethod::id).toList();
    }

    /**
     * The method called {@code id} (case-insensitive; {@code _} may stand for {@code -}).
     *
     * @throws IllegalArgumentException for an unknown id, listing the valid ones
     */
    public static DistillMethod of(String id) {
        String key = id == null ? "" : id.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DistillMethod m : values()) {
            if (m.id.equals(key)) return m;
        }
        throw new IllegalArgumentException("unknown distillation method '" + id + "'; valid: " + String.join(", ", ids()));
    }

    /** The method's terms, each with its registry-default λ and no options. */
    public Map<String, TermSpec> termSpecs() {
        Map<String, TermSpec> m = new LinkedHashMap<>();
        for (String t : terms) m.put(t, new TermSpec(null, Map.of()));
        return m;
    }

    /**
     * Puts a distillation config together.
     *
     * <ul>
     *   <li>{@code terms}: the starting terms (a method's {@link #termSpecs()}, or a config file's terms);</li>
     *   <li>{@code lambdas}: λ overrides by term name; a term not in {@code terms} is added (no options), λ 0 removes
     *       it, a null λ adds the term at its default λ (or leaves it as it is);</li>
     *   <li>{@code teachers}: the first is the main teacher, every term uses it; the others join {@code teach_detr} as
     *       further teachers (its option {@code teachers}, appended to any it already has), named after their file
     *       ({@code runs/big/best.zip} → {@code big}, {@code retina_train.json} → {@code retina_train}), λ 1.</li>
     * </ul>
     *
     * @return the config, or empty when no term is left (then the teachers are not needed)
     * @throws IllegalArgumentException an unknown term (listing the registry's), terms but no teacher, or more than one
     *                                  teacher without {@code teach_detr} (only Teach-DETR takes several)
     */
    public static Optional<DistillationConfig> compose(Map<String, TermSpec> terms, Map<String, Double> lambdas,
                                                       List<TeacherSpec> teachers, DistillTermRegistry registry) {
        Map<String, TermSpec> t = new LinkedHashMap<>(terms);
        lambdas.forEach((name, lambda) -> {
            registry.entry(name);                                   // unknown names fail, listing the valid ones
            TermSpec old = t.get(name);
            if (lambda != null && lambda == 0) t.remove(name);
            else if (lambda != null || old == null) t.put(name, new TermSpec(lambda, old == null ? Map.of() : old.options()));
        });
        for (String name : t.keySet()) registry.entry(name);
        if (t.isEmpty()) return Optional.empty();
        if (teachers.isEmpty()) {
            throw new IllegalArgumentException("the distillation terms " + t.keySet() + " need a teacher; none was given");
        }
        List<TeacherSpec> extra = teachers.subList(1, teachers.size());
        if (!extra.isEmpty()) {
            String teach = org.detrdistill.distill.teachdetr.TeachDetrTerm.NAME;
            TermSpec spec = t.get(teach);
            if (spec == null) {
                throw new IllegalArgumentException(teachers.size() + " teachers given, but only " + teach
                        + " takes more than one and it is not among the terms " + t.keySet());
            }
            Map<String, Object> options = new LinkedHashMap<>(spec.options());
            List<Object> list = new ArrayList<>();
            if (options.get("teachers") instanceof List<?> existing) list.addAll(existing);
            Set<String> names = new HashSet<>(Set.of("teacher"));
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("name") != null) names.add(String.valueOf(m.get("name")));
            }
            for (TeacherSpec s : extra) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", uniqueName(s, names));
                entry.putAll(s.toMap());
                list.add(entry);
            }
            options.put("teachers", list);
            t.put(teach, new TermSpec(spec.lambda(), options));
        }
        DistillationConfig.Builder b = DistillationConfig.builder(teachers.get(0));
        t.forEach((name, spec) -> b.term(name, spec.lambda(), spec.options()));
        return Optional.of(b.build());
    }

    /** This method's terms with {@code lambdas} over them (see {@link #compose}). */
    public Optional<DistillationConfig> config(List<TeacherSpec> teachers, Map<String, Double> lambdas, DistillTermRegistry registry) {
        return compose(termSpecs(), lambdas, teachers, registry);
    }

    /** The teacher's name: its file's stem (the run folder's name for best/last.zip), made unique within {@code taken}. */
    private static String uniqueName(TeacherSpec s, Set<String> taken) {
        Path file = s.checkpoint() != null ? s.checkpoint() : s.results();
        String stem = file.getFileName() == null ? "" : file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        if ((stem.equals("best") || stem.equals("last")) && file.toAbsolutePath().getParent() != null
                && file.toAbsolutePath().getParent().getFileName() != null) {
            stem = file.toAbsolutePath().getParent().getFileName().toString();
        }
        String base = stem.replaceAll("[^A-Za-z0-9_]", "_");
        if (base.isEmpty()) base = "teacher";
        String name = base;
        for (int i = 2; taken.contains(name); i++) name = base + "_" + i;
        taken.add(name);
        return name;
    }
}
