package org.detrdistill.examples.cli;

import org.detrdistill.distill.DistillMethod;
import org.detrdistill.distill.DistillTermRegistry;
import org.detrdistill.distill.DistillationConfig;
import org.detrdistill.distill.TeacherSpec;
import org.detrdistill.distill.teachdetr.TeachDetrTerm;
import org.detrdistill.distill.teacher.BoxSelection;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The teacher and distillation options of {@code distill} (a picocli mixin) and how they become a
 * {@link DistillationConfig} ({@link DistillMethod#compose}):
 * <ul>
 *   <li>teachers: {@code --teacher FILE_OR_DIR} (a checkpoint or training folder, {@link TeacherSpec#ofModel}) and
 *       {@code --teacher-results FILE} (a COCO results file), both repeatable, their boxes cut at
 *       {@code --score-threshold}. Checkpoint teachers come first; the first teacher is the main one, the others join
 *       Teach-DETR;</li>
 *   <li>terms: {@code --method NAME} (default {@code detrdistill}) or {@code --distill-config FILE} (its teacher is
 *       replaced by the command line's when teachers are given), then {@code --term NAME=λ} overrides (λ 0 drops a
 *       term, {@code --term NAME} adds one at its default λ);</li>
 *   <li>resuming ({@code --resume}) without any of these options: the run's own {@value #SAVED}.</li>
 * </ul>
 */
final class DistillOptions {
    /** The distillation config written into (and resumed from) the training folder. */
    static final String SAVED = "distill.json";

    /** Where the terms come from: at most one. */
    static final class Terms {
        @Option(names = "--method", paramLabel = "NAME",
                description = "Distillation method: detrdistill (default), teach-detr, fitnet, mgd, none.")
        String method;

        @Option(names = "--distill-config", paramLabel = "FILE",
                description = "A distillation config JSON file (teacher and terms with their options).")
        Path file;
    }

    @Option(names = "--teacher", paramLabel = "FILE_OR_DIR",
            description = "A teacher checkpoint (.zip) or training folder (its best.zip). Repeatable.")
    List<Path> teachers = new ArrayList<>();

    @Option(names = "--teacher-results", paramLabel = "FILE",
            description = "A teacher's COCO results file over the training images (Teach-DETR). Repeatable.")
    List<Path> teacherResults = new ArrayList<>();

    @Option(names = "--score-threshold", paramLabel = "X", defaultValue = "" + BoxSelection.DEFAULT_THRESHOLD,
            description = "Teacher boxes used as targets: score >= X, at most 50 per image (default ${DEFAULT-VALUE}).")
    double scoreThreshold;

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "%nThe distillation terms come from (at most one):%n", order = 1)
    Terms terms;

    @Option(names = "--term", paramLabel = "NAME[=LAMBDA]",
            description = "Add a term or set its λ (0 drops it): kd_logits, teach_detr, kd_feat, kd_relation, kd_assign, fitnet, mgd. Repeatable.")
    List<String> termOverrides = new ArrayList<>();

    /** Whether any distillation option was given (else a resumed run uses its {@value #SAVED}). */
    private boolean anyGiven() {
        return !teachers.isEmpty() || !teacherResults.isEmpty() || terms != null || !termOverrides.isEmpty();
    }

    /**
     * The distillation config, or empty for no distillation term ({@code --method none}).
     *
     * @param runDir the training folder (read with {@code --resume}; may be null without)
     * @throws IllegalArgumentException an unknown method or term (listing the valid ones), a malformed {@code --term}
     *                                  or config file (naming it), terms without a teacher, several teachers without
     *                                  Teach-DETR
     * @throws java.nio.file.NoSuchFileException a teacher or config file that does not exist (naming its option)
     */
    Optional<DistillationConfig> config(Path runDir, boolean resume, DistillTermRegistry registry) throws IOException {
        if (resume && !anyGiven()) {
            Path saved = runDir.resolve(SAVED);
            return Files.isRegularFile(saved) ? Optional.of(DistillationConfig.read(saved)) : Optional.empty();
        }
        List<TeacherSpec> specs = teacherSpecs();
        Map<String, DistillationConfig.TermSpec> start;
        if (terms != null && terms.file != null) {
            DistillationConfig file = DistillationConfig.read(CliFiles.requireFile(terms.file, "--distill-config"));
            start = file.terms();
            if (specs.isEmpty()) specs.add(file.teacher());
        } else {
            start = DistillMethod.of(terms == null || terms.method == null ? DistillMethod.DETRDISTILL.id() : terms.method).termSpecs();
        }
        Map<String, Double> lambdas = parseTerms(termOverrides);
        Map<String, DistillationConfig.TermSpec> check = new LinkedHashMap<>(start);
        lambdas.forEach((k, v) -> { if (v == null || v != 0) check.put(k, null); else check.remove(k); });
        if (!check.isEmpty() && specs.isEmpty()) {
            for (String name : check.keySet()) registry.entry(name);        // an unknown term is the clearer error
            throw new IllegalArgumentException("the distillation terms " + check.keySet() + " need a teacher: give "
                    + "--teacher CHECKPOINT (or --teacher-results RESULTS.json for teach_detr), or --method none");
        }
        return DistillMethod.compose(start, lambdas, specs, registry);
    }

    /** Whether a teacher of {@code config} is a results file (its boxes only fit resize-only transforms). */
    static boolean usesResultsFile(DistillationConfig config) {
        if (config.teacher().results() != null) return true;
        DistillationConfig.TermSpec teach = config.terms().get(TeachDetrTerm.NAME);
        if (teach != null && teach.options().get("teachers") instanceof List<?> list) {
            for (Object o : list) if (o instanceof Map<?, ?> m && m.get("results") != null) return true;
        }
        return false;
    }

    /** Teachers from the command line: checkpoints first, then results files. */
    private List<TeacherSpec> teacherSpecs() throws IOException {
        List<TeacherSpec> specs = new ArrayList<>();
        for (Path t : teachers) specs.add(TeacherSpec.ofModel(t, scoreThreshold));
        for (Path r : teacherResults) {
            specs.add(TeacherSpec.results(CliFiles.requireFile(r, "--teacher-results"), scoreThreshold));
        }
        return specs;
    }

    /** {@code NAME=λ} or {@code NAME} (default λ: null), in order; a name given twice keeps the last. */
    static Map<String, Double> parseTerms(List<String> terms) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String t : terms) {
            int eq = t.indexOf('=');
            String name = (eq < 0 ? t : t.substring(0, eq)).trim();
            if (name.isEmpty()) throw new IllegalArgumentException("--term " + t + ": expected NAME=LAMBDA, e.g. kd_logits=2");
            Double lambda = null;
            if (eq >= 0) {
                try {
                    lambda = Double.parseDouble(t.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--term " + t + ": λ must be a number, got '" + t.substring(eq + 1) + "'");
                }
                if (!(lambda >= 0 && Double.isFinite(lambda))) {
                    throw new IllegalArgumentException("--term " + t + ": λ must be finite and >= 0");
                }
            }
            m.remove(name);
            m.put(name, lambda);
        }
        return m;
    }
}
