package org.detrdistill.distill;

import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.distill.teacher.BoxSelection;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a teacher comes from: a checkpoint of this framework ({@link org.detrdistill.distill.teacher.NativeTeacher})
 * or a COCO results file ({@link org.detrdistill.distill.teacher.ResultsFileTeacher}), exactly one of them, plus the
 * selection of its box-level outputs for Teach-DETR (score threshold, at most {@code maxPerImage} per image). Paths are
 * used as given (relative paths resolve against the working directory).
 *
 * <p>JSON: {@code {"checkpoint": "runs/t/best.zip"}} or
 * {@code {"results": "teacher.json", "scoreThreshold": 0.3, "maxPerImage": 50}}.
 *
 * @param checkpoint     a trainer checkpoint ({@code last.zip}, {@code best.zip}), or null
 * @param results        a COCO results JSON over the training images, or null
 * @param scoreThreshold minimum score of the teacher boxes Teach-DETR uses ({@link BoxSelection#DEFAULT_THRESHOLD})
 * @param maxPerImage    at most this many boxes per image, by score (50)
 */
public record TeacherSpec(Path checkpoint, Path results, double scoreThreshold, int maxPerImage) {
    /** Field names of the JSON form. */
    public static final Set<String> FIELDS = Set.of("checkpoint", "results", "scoreThreshold", "maxPerImage");

    public TeacherSpec {
        if ((checkpoint == null) == (results == null)) {
            throw new IllegalArgumentException("a teacher is either a 'checkpoint' or a 'results' file, exactly one of them; got "
                    + (checkpoint == null ? "neither" : "both"));
        }
        new BoxSelection(scoreThreshold, maxPerImage);   // validates
    }

    /** A native teacher from a checkpoint, default box selection. */
    public static TeacherSpec checkpoint(Path file) {
        return new TeacherSpec(file, null, BoxSelection.DEFAULT_THRESHOLD, BoxSelection.TEACH_DETR_MAX_PER_IMAGE);
    }

    /** An offline teacher from a results file, boxes with score {@code >= scoreThreshold}, at most 50 per image. */
    public static TeacherSpec results(Path file, double scoreThreshold) {
        return new TeacherSpec(null, file, scoreThreshold, BoxSelection.TEACH_DETR_MAX_PER_IMAGE);
    }

    /**
     * The teacher a model file names, with boxes of score {@code >= scoreThreshold} (at most 50 per image): today a
     * checkpoint of this framework, given as the file or as its training folder ({@code best.zip}, else
     * {@code last.zip}). The one place that tells model kinds apart by their file, so a new kind plugs in here.
     *
     * @throws NoSuchFileException if the file or folder does not exist, or the folder holds no checkpoint
     */
    public static TeacherSpec ofModel(Path fileOrDir, double scoreThreshold) throws NoSuchFileException {
        return new TeacherSpec(TrainedDetector.resolve(fileOrDir), null, scoreThreshold, BoxSelection.TEACH_DETR_MAX_PER_IMAGE);
    }

    /** The same teacher with another box selection. */
    public TeacherSpec withSelection(double threshold, int max) {
        return new TeacherSpec(checkpoint, results, threshold, max);
    }

    /** Whether this is a native (checkpoint) teacher. */
    public boolean isNative() { return checkpoint != null; }

    /** The box selection of this spec. */
    public BoxSelection selection() { return new BoxSelection(scoreThreshold, maxPerImage); }

    /** The JSON object form (insertion-ordered map of plain values). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (checkpoint != null) m.put("checkpoint", checkpoint.toString());
        if (results != null) m.put("results", results.toString());
        m.put("scoreThreshold", scoreThreshold);
        m.put("maxPerImage", maxPerImage);
        return m;
    }

    /**
     * Reads the JSON object form.
     *
     * @param where  names the object in messages, e.g. {@code teacher} or {@code terms.teach_detr.teachers[0]}
     * @param extra  other field names allowed in the object (ignored here, read by the caller)
     * @throws IllegalArgumentException on an unknown field (listing the valid ones), a wrong type or a bad value
     */
    public static TeacherSpec fromMap(Map<String, ?> m, String where, Set<String> extra) {
        Set<String> valid = new TreeSet<>(FIELDS);
        valid.addAll(extra);
        for (String k : m.keySet()) {
            if (!valid.contains(k)) throw new IllegalArgumentException(where + ": unknown field '" + k + "'; valid: " + valid);
        }
        TermOptions o = new TermOptions(where, m);
        String ckpt = o.getString("checkpoint", null), res = o.getString("results", null);
        try {
            return new TeacherSpec(ckpt == null ? null : Path.of(ckpt), res == null ? null : Path.of(res),
                    o.getDouble("scoreThreshold", BoxSelection.DEFAULT_THRESHOLD),
                    o.getInt("maxPerImage", BoxSelection.TEACH_DETR_MAX_PER_IMAGE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
