package org.detrdistill.datasets.coco;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link CocoInstancesReader} read, kept and skipped, and why. Immutable.
 *
 * @param file              the instances file
 * @param imagesRead        entries in {@code images}
 * @param imagesKept        images in the resulting dataset
 * @param annotationsRead   entries in {@code annotations}
 * @param annotationsKept   annotations in the resulting dataset (crowd ones included)
 * @param crowdAnnotations  kept annotations with {@code iscrowd = 1}; they stay in the dataset but never become
 *                          training targets
 * @param counts            number of occurrences of each issue (every issue present, 0 if none)
 * @param examples          up to {@link #MAX_EXAMPLES} descriptions per issue, e.g.
 *                          {@code "annotations[17] (id 42): image_id 999 is not in images"}
 */
public record LoadReport(Path file, int imagesRead, int imagesKept, int annotationsRead, int annotationsKept,
                         int crowdAnnotations, Map<LoadIssue, Integer> counts, Map<LoadIssue, List<String>> examples) {

    /** How many example entries are remembered per issue. */
    public static final int MAX_EXAMPLES = 5;

    public LoadReport {
        EnumMap<LoadIssue, Integer> c = new EnumMap<>(LoadIssue.class);
        EnumMap<LoadIssue, List<String>> e = new EnumMap<>(LoadIssue.class);
        for (LoadIssue issue : LoadIssue.values()) {
            c.put(issue, counts.getOrDefault(issue, 0));
            e.put(issue, List.copyOf(examples.getOrDefault(issue, List.of())));
        }
        counts = Collections.unmodifiableMap(c);
        examples = Collections.unmodifiableMap(e);
    }

    /** Number of occurrences of {@code issue}. */
    public int count(LoadIssue issue) { return counts.get(issue); }

    /** Whether nothing was skipped or altered. */
    public boolean clean() {
        return counts.values().stream().allMatch(n -> n == 0);
    }

    /** A multi-line human-readable summary, one line per issue that occurred, with its first examples. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(": ").append(imagesKept).append('/').append(imagesRead).append(" images, ")
                .append(annotationsKept).append('/').append(annotationsRead).append(" annotations kept (")
                .append(crowdAnnotations).append(" crowd, not used as targets)");
        for (LoadIssue issue : LoadIssue.values()) {
            int n = counts.get(issue);
            if (n > 0) {
                sb.append(System.lineSeparator()).append("  ").append(issue).append(" x").append(n).append(": ")
                        .append(issue.description()).append(issue.skips() ? " (skipped)" : " (kept)");
                for (String ex : examples.get(issue)) {
                    sb.append(System.lineSeparator()).append("    e.g. ").append(ex);
                }
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() { return summary(); }
}
