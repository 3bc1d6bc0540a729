package org.detrdistill.examples.cli;

import org.detrdistill.datasets.eval.CocoStats;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The text {@code demo} prints and writes to {@code demo.txt}: a header, one AP table with a row per run (trainable
 * parameters, steps, wall and CPU seconds of training, AP, AP50, AP75 on the validation split), the teacher's full
 * 12-line COCO table, and where everything is.
 */
final class DemoSummary {
    private DemoSummary() {}

    /** One run of the demo. */
    record Row(String name, Path run, TrainingSession.Outcome outcome) {}

    /** The whole text (see the class comment). */
    static String text(String variant, int trainImages, int valImages, double budget, double teacherMinutes,
                       double studentMinutes, double seconds, List<Row> rows, Path data, Path predictions,
                       List<String> drawnRuns, int drawn, Path work) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "detr-distill demo: %s, %d + %d synthetic images, budget %.1f min (teacher %.1f%s), "
                        + "%.0f s in all%n", variant, trainImages, valImages, budget, teacherMinutes,
                rows.size() > 1 ? String.format(Locale.ROOT, ", each student %.1f", studentMinutes) : "", seconds));
        b.append(table(rows));
        Row teacher = rows.get(0);
        if (teacher.outcome().evaluation() != null) {
            b.append(String.format(Locale.ROOT, "COCO evaluation of the teacher on %d validation images:%n",
                    teacher.outcome().evaluation().imageCount()));
            b.append(teacher.outcome().evaluation().summary());
        }
        Path runs = teacher.run().getParent();
        b.append(String.format(Locale.ROOT, "dataset:      %s%n", data));
        b.append(String.format(Locale.ROOT, "runs:         %s (%s: best.zip, last.zip, metrics.jsonl, loss.png, ap.png)%n", runs,
                String.join(", ", rows.stream().map(r -> r.run().getFileName().toString()).toList())));
        if (drawn > 0) {
            b.append(String.format(Locale.ROOT, "predictions:  %s (%s: %d PNGs and %s each)%n", predictions,
                    String.join(", ", drawnRuns), drawn, PredictCommand.RESULTS));
        }
        b.append(String.format(Locale.ROOT, "next:         detr-distill eval --checkpoint %s --data %s%n", teacher.run(), data));
        b.append(String.format(Locale.ROOT, "              detr-distill predict --checkpoint %s --images %s --out %s%n",
                teacher.run(), data.resolve("val"), work.resolve("my-predictions")));
        b.append(String.format(Locale.ROOT, "              detr-distill distill --config %s --data %s --teacher %s --out %s%n",
                (rows.size() > 1 ? rows.get(1).run() : teacher.run()).resolve("detector.json"), data, teacher.run(),
                work.resolve("my-student")));
        return b.toString();
    }

    /** The AP table: one row per run. */
    static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        String format = "%-22s %10s %6s %8s %7s %6s %6s %6s%n";
        b.append(String.format(Locale.ROOT, format, "run", "params", "steps", "train s", "CPU s", "AP", "AP50", "AP75"));
        for (Row r : rows) {
            TrainingSession.Outcome o = r.outcome();
            CocoStats s = o.evaluation() == null ? null : o.evaluation().stats();
            b.append(String.format(Locale.ROOT, format, r.name(), String.format(Locale.ROOT, "%,d", o.parameters()),
                    o.steps(), String.format(Locale.ROOT, "%.0f", o.seconds()), String.format(Locale.ROOT, "%.0f", o.cpuSeconds()),
                    s == null ? "-" : ap(s.ap()), s == null ? "-" : ap(s.ap50()), s == null ? "-" : ap(s.ap75())));
        }
        return b.toString();
    }

    private static String ap(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
