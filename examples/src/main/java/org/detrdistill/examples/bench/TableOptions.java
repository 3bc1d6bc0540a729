package org.detrdistill.examples.bench;

import org.detrdistill.core.model.Variant;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Options of {@link DistillationTableBenchmark}, parsed from {@code --name=value} arguments.
 *
 * @param variant            detector variant of teacher and student (default {@code deformable_detr})
 * @param seeds              student seeds; every row runs once per seed with the same seed (initialisation and data
 *                           order), so rows are paired (default 1,2,3)
 * @param teacherIterations  teacher budget in optimizer steps (default 3000)
 * @param studentIterations  budget of every student run in optimizer steps (default 500)
 * @param trainImages        synthetic training images (default 1000)
 * @param valImages          synthetic validation images (default 200)
 * @param size               image and canvas size in pixels, square (default 64)
 * @param batch              images per step, teacher and students (default 4)
 * @param lr                 base learning rate (0 = the variant's reference value)
 * @param lrDrop             the learning rate drops ×0.1 after this fraction of each budget, at an epoch boundary
 *                           (0 = no drop; default 0.8)
 * @param evalEvery          evaluate on the validation split every this many epochs during training, for the
 *                           learning curves in each run's {@code metrics.jsonl} (0 = only at the end; default 2)
 * @param teacherSeed        seed of the teacher's training (default 1000)
 * @param dataSeed           seed of the synthetic dataset (default 42)
 * @param rows               rows to run, by {@link TableRow#key()} (default: {@link TableRow#defaultKeys()})
 * @param lambdas            λ overrides {@code row.term → λ} (e.g. {@code fitnet.fitnet=0.5}); unknown rows or terms
 *                           fail
 * @param out                output folder: data, teacher, runs, {@code table.md}, {@code table.png}
 */
public record TableOptions(Variant variant, List<Long> seeds, long teacherIterations, long studentIterations,
                           int trainImages, int valImages, int size, int batch, double lr, double lrDrop,
                           int evalEvery, long teacherSeed, long dataSeed, List<String> rows, Map<String, Double> lambdas, Path out) {
    private static final List<String> NAMES = List.of("variant", "seeds", "teacher-iterations", "student-iterations",
            "train", "val", "size", "batch", "lr", "lr-drop", "eval-every", "teacher-seed", "data-seed", "rows", "lambda", "out");

    public TableOptions {
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) throw new IllegalArgumentException("--seeds: at least one seed");
        if (new LinkedHashSet<>(seeds).size() != seeds.size()) throw new IllegalArgumentException("--seeds: duplicate seed in " + seeds);
        if (teacherIterations < 1) throw new IllegalArgumentException("--teacher-iterations must be >= 1, got " + teacherIterations);
        if (studentIterations < 1) throw new IllegalArgumentException("--student-iterations must be >= 1, got " + studentIterations);
        if (trainImages < 1) throw new IllegalArgumentException("--train must be >= 1, got " + trainImages);
        if (valImages < 1) throw new IllegalArgumentException("--val must be >= 1, got " + valImages);
        if (size < 32) throw new IllegalArgumentException("--size must be >= 32, got " + size);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("--lr must be >= 0 (0 = the variant's), got " + lr);
        if (!(lrDrop >= 0 && lrDrop < 1)) throw new IllegalArgumentException("--lr-drop must be in [0, 1), got " + lrDrop);
        if (evalEvery < 0) throw new IllegalArgumentException("--eval-every must be >= 0, got " + evalEvery);
        rows = List.copyOf(rows);
        List<String> known = TableRow.standard().stream().map(TableRow::key).toList();
        for (String r : rows) {
            if (!known.contains(r)) throw new IllegalArgumentException("--rows: unknown row '" + r + "'; valid: " + known);
        }
        if (rows.isEmpty()) throw new IllegalArgumentException("--rows: at least one row");
        lambdas = Map.copyOf(lambdas);
        for (String k : lambdas.keySet()) {
            int dot = k.indexOf('.');
            String row = dot < 0 ? k : k.substring(0, dot);
            TableRow r = TableRow.standard().stream().filter(x -> x.key().equals(row)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--lambda " + k + ": unknown row '" + row + "'; valid: " + known));
            if (dot < 0 || !r.terms().containsKey(k.substring(dot + 1))) {
                throw new IllegalArgumentException("--lambda " + k + ": expected ROW.TERM with a term of row '" + row + "': "
                        + r.terms().keySet());
            }
        }
        if (out == null) throw new IllegalArgumentException("--out is required");
    }

    /** The defaults (see the components). */
    public static TableOptions defaults() {
        return new TableOptions(Variant.DEFORMABLE_DETR, List.of(1L, 2L, 3L), 3000, 500, 1000, 200, 64, 4, 0, 0.8,
                2, 1000, 42, TableRow.defaultKeys(), Map.of(), Path.of("work/papertable"));
    }

    /** The rows to run, in table order, with the λ overrides applied. */
    public List<TableRow> selectedRows() {
        List<TableRow> selected = new ArrayList<>();
        for (TableRow r : TableRow.standard()) {
            if (!rows.contains(r.key())) continue;
            Map<String, Double> override = new LinkedHashMap<>();
            lambdas.forEach((k, v) -> {
                if (k.startsWith(r.key() + ".")) override.put(k.substring(r.key().length() + 1), v);
            });
            selected.add(r.withLambdas(override));
        }
        return selected;
    }

    /**
     * Parses {@code --name=value} arguments (see the components; {@code --lambda=ROW.TERM=λ} may repeat).
     *
     * @throws IllegalArgumentException naming the bad argument and listing the valid names
     */
    public static TableOptions parse(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        Map<String, Double> lambdas = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) throw new IllegalArgumentException("expected --name=value, got '" + a + "'; names: " + NAMES);
            String key = a.substring(2, eq), value = a.substring(eq + 1).trim();
            if (!NAMES.contains(key)) throw new IllegalArgumentException("unknown option --" + key + "; valid: " + NAMES);
            if (key.equals("lambda")) {
                int eq2 = value.indexOf('=');
                if (eq2 < 0) throw new IllegalArgumentException("--lambda must be ROW.TERM=VALUE, got '" + value + "'");
                lambdas.put(value.substring(0, eq2), number("lambda", value.substring(eq2 + 1)));
            } else {
                given.put(key, value);
            }
        }
        TableOptions d = defaults();
        List<Long> seeds = d.seeds;
        if (given.containsKey("seeds")) {
            seeds = new ArrayList<>();
            for (String s : given.get("seeds").split(",")) seeds.add(integer("seeds", s));
        }
        List<String> rows = given.containsKey("rows") ? List.of(given.get("rows").split(",")) : d.rows;
        return new TableOptions(
                given.containsKey("variant") ? Variant.of(given.get("variant")) : d.variant, seeds,
                given.containsKey("teacher-iterations") ? integer("teacher-iterations", given.get("teacher-iterations")) : d.teacherIterations,
                given.containsKey("student-iterations") ? integer("student-iterations", given.get("student-iterations")) : d.studentIterations,
                given.containsKey("train") ? (int) integer("train", given.get("train")) : d.trainImages,
                given.containsKey("val") ? (int) integer("val", given.get("val")) : d.valImages,
                given.containsKey("size") ? (int) integer("size", given.get("size")) : d.size,
                given.containsKey("batch") ? (int) integer("batch", given.get("batch")) : d.batch,
                given.containsKey("lr") ? number("lr", given.get("lr")) : d.lr,
                given.containsKey("lr-drop") ? number("lr-drop", given.get("lr-drop")) : d.lrDrop,
                given.containsKey("eval-every") ? (int) integer("eval-every", given.get("eval-every")) : d.evalEvery,
                given.containsKey("teacher-seed") ? integer("teacher-seed", given.get("teacher-seed")) : d.teacherSeed,
                given.containsKey("data-seed") ? integer("data-seed", given.get("data-seed")) : d.dataSeed,
                rows.stream().map(String::trim).toList(), lambdas,
                given.containsKey("out") ? Path.of(given.get("out")) : d.out);
    }

    private static long integer(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    private static double number(String name, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + value + "'");
        }
    }

    @Override public String toString() {
        return String.format(Locale.ROOT, "%s, seeds %s, teacher %d it, students %d it, batch %d, %d+%d images %dx%d, lr %s, "
                        + "drop at %.0f%%, rows %s%s, out %s", variant.id(), seeds, teacherIterations, studentIterations, batch,
                trainImages, valImages, size, size, lr == 0 ? "variant default" : Double.toString(lr), lrDrop * 100, rows,
                lambdas.isEmpty() ? "" : ", λ " + lambdas, out);
    }
}
