package org.detrdistill.datasets.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layout of a generated dataset and the rules that protect user data. A directory is a "previous synthetic
 * output" only if it holds the marker file {@value #MARKER} written by the generator AND nothing else than the
 * generator's own files ({@code train/NNNNNNNNNNNN.jpg}, {@code val/NNNNNNNNNNNN.jpg},
 * {@code annotations/instances_{train,val}.json} and the temporary files of these and of the marker). Only such a directory is cleared;
 * any other non-empty directory is refused before anything is touched. Symbolic links are never followed.
 */
final class SyntheticOutputDirectory {

    /** Marker file, written first (complete=false) and rewritten last (complete=true). */
    static final String MARKER = "synthetic_coco.json";
    private static final String MARKER_TMP = "." + MARKER + ".tmp";
    static final String ANNOTATIONS = "annotations";
    private static final String GENERATOR = SyntheticCocoGenerator.class.getName();
    private static final Pattern IMAGE = Pattern.compile("\\d{12}\\.jpg");
    private static final Set<String> ANNOTATION_FILES = Set.of("instances_train.json", "instances_val.json",
            ".instances_train.json.tmp", ".instances_val.json.tmp");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SyntheticOutputDirectory() {
    }

    /** File name of image {@code id}: 12 zero-padded digits and {@code .jpg}, as in COCO 2017. */
    static String imageFileName(long id) {
        return String.format("%012d.jpg", id);
    }

    /**
     * Makes {@code root} an empty directory, clearing it only if it is a previous synthetic output.
     *
     * @throws DirectoryNotEmptyException if {@code root} holds anything that is not the generator's (names the entry)
     * @throws IOException                if {@code root} is a file or cannot be read or cleared
     */
    static void prepare(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(root);
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(root + ": output path exists and is not a directory");
        }
        List<Path> toDelete = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            List<Path> top = entries.sorted().toList();
            if (top.isEmpty()) {
                return;
            }
            Path marker = root.resolve(MARKER);
            if (!isMarker(marker)) {
                throw refuse(root, "it has no " + MARKER + " of " + GENERATOR + " (found " + top.get(0).getFileName()
                        + ")");
            }
            for (Path p : top) {
                String name = p.getFileName().toString();
                if (name.equals(MARKER)) {
                    continue;
                }
                if (name.equals(MARKER_TMP) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    toDelete.add(p);
                    continue;
                }
                boolean imageDir = name.equals(SyntheticSplit.TRAIN.dirName()) || name.equals(SyntheticSplit.VAL.dirName());
                if (!(imageDir || name.equals(ANNOTATIONS)) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw refuse(root, "'" + name + "' is not part of a synthetic output");
                }
                try (Stream<Path> inner = Files.list(p)) {
                    for (Path f : inner.sorted().toList()) {
                        String fn = f.getFileName().toString();
                        boolean ours = Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                                && (imageDir ? IMAGE.matcher(fn).matches() : ANNOTATION_FILES.contains(fn));
                        if (!ours) {
                            throw refuse(root, "'" + name + "/" + fn + "' is not part of a synthetic output");
                        }
                        toDelete.add(f);
                    }
                }
                toDelete.add(p);
            }
            toDelete.add(marker);
        }
        for (Path p : toDelete) {
            Files.delete(p);
        }
    }

    private static DirectoryNotEmptyException refuse(Path root, String why) {
        return new DirectoryNotEmptyException(root + ": refusing to write a synthetic dataset into a non-empty "
                + "directory that is not a previous synthetic output: " + why + ". Choose a new or empty directory.");
    }

    private static boolean isMarker(Path marker) {
        if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            JsonNode n = MAPPER.readTree(marker.toFile());
            return n != null && GENERATOR.equals(n.path("generator").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes the marker: generator, completion flag, config and (when complete) the counts. */
    static void writeMarker(Path root, SyntheticCocoConfig config, boolean complete, int[] annotationCounts)
            throws IOException {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("generator", GENERATOR);
        n.put("complete", complete);
        if (annotationCounts != null) {
            n.put("train_annotations", annotationCounts[0]);
            n.put("val_annotations", annotationCounts[1]);
        }
        n.set("config", MAPPER.valueToTree(config));
        Path tmp = root.resolve(MARKER_TMP);
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), n);
        Files.move(tmp, root.resolve(MARKER), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
