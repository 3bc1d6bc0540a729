package org.detrdistill.distill;

import org.detrdistill.core.onnx.OnnxTeacherBundle;
import org.detrdistill.core.train.TrainedDetector;
import org.detrdistill.distill.teacher.BoxSelection;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a teacher comes from: a checkpoint of this framework ({@link org.detrdistill.distill.teacher.NativeTeacher}),
 * a COCO results file ({@link org.detrdistill.distill.teacher.ResultsFileTeacher}) or an ONNX teacher
 * ({@link org.detrdistill.distill.teacher.OnnxTeacher}: a bundle written by {@code import-onnx}, or a {@code .onnx}
 * file with an optional output-mapping JSON), exactly one of them, plus the selection of its box-level outputs for
 * Teach-DETR (score threshold, at most {@code maxPerImage} per image). Paths are used as given (relative paths resolve
 * against the working directory). {@link #of(Path)} picks the kind from the file itself.
 *
 * <p>JSON: {@code {"checkpoint": "runs/t/best.zip"}}, {@code {"onnx": "teacher.zip"}},
 * {@code {"onnx": "export/model.onnx", "mapping": "export/onnx_output_mapping.json"}} or
 * {@code {"results": "teacher.json", "scoreThreshold": 0.3, "maxPerImage": 50}}.
 *
 * @param checkpoint     a trainer checkpoint ({@code last.zip}, {@code best.zip}), or null. An ONNX teacher bundle
 *                       given here is loaded as an ONNX teacher (the file says what it is).
 * @param results        a COCO results JSON over the training images, or null
 * @param scoreThreshold minimum score of the teacher boxes Teach-DETR uses ({@link BoxSelection#DEFAULT_THRESHOLD})
 * @param maxPerImage    at most this many boxes per image, by score (50)
 * @param onnx           an ONNX teacher bundle ({@code import-onnx --out teacher.zip}) or a {@code .onnx} file, or null
 * @param mapping        for a {@code .onnx} file: its {@code OnnxOutputMapping} JSON; null = the exporter's
 *                       {@code onnx_output_mapping.json} beside it, else the DETR default output names
 */
public record TeacherSpec(Path checkpoint, Path results, double scoreThreshold, int maxPerImage, Path onnx, Path mapping) {
    /** Field names of the JSON form. */
    public static final Set<String> FIELDS = Set.of("checkpoint", "results", "onnx", "mapping", "scoreThreshold", "maxPerImage");

    public TeacherSpec {
        int kinds = (checkpoint != null ? 1 : 0) + (results != null ? 1 : 0) + (onnx != null ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException("a teacher is a 'checkpoint', an 'onnx' teacher or a 'results' file, exactly "
                    + "one of them; got " + (kinds == 0 ? "neither" : kinds + " of them"));
        }
        if (mapping != null && onnx == null) {
            throw new IllegalArgumentException("'mapping' (an ONNX output mapping) is only for an 'onnx' teacher");
        }
        new BoxSelection(scoreThreshold, maxPerImage);   // validates
    }

    /** A checkpoint or results-file teacher (no ONNX). */
    public TeacherSpec(Path checkpoint, Path results, double scoreThreshold, int maxPerImage) {
        this(checkpoint, results, scoreThreshold, maxPerImage, null, null);
    }

    /** A native teacher from a checkpoint, default box selection. */
    public static TeacherSpec checkpoint(Path file) {
        return new TeacherSpec(file, null, BoxSelection.DEFAULT_THRESHOLD, BoxSelection.TEACH_DETR_MAX_PER_IMAGE);
    }

    /** An offline teacher from a results file, boxes with score {@code >= scoreThreshold}, at most 50 per image. */
    public static TeacherSpec results(Path file, double scoreThreshold) {
        return new TeacherSpec(null, file, scoreThreshold, BoxSelection.TEACH_DETR_MAX_PER_IMAGE);
    }

    /** An ONNX teacher: a bundle from {@code import-onnx}, or a {@code .onnx} file with its default mapping. */
    public static TeacherSpec onnx(Path file) {
        return onnx(file, null);
    }

    /** An ONNX teacher from a {@code .onnx} file and an output-mapping JSON (null = default). */
    public static TeacherSpec onnx(Path file, Path mapping) {
        return new TeacherSpec(null, null, BoxSelection.DEFAULT_THRESHOLD, BoxSelection.TEACH_DETR_MAX_PER_IMAGE, file, mapping);
    }

    /**
     * The teacher in {@code file}, its kind read from the file: an ONNX teacher bundle (a zip with
     * {@code onnx-teacher.json}) or a {@code .onnx} file → ONNX; a {@code .json} file → results (default threshold);
     * anything else → checkpoint. What {@code distill --teacher FILE} takes.
     */
    public static TeacherSpec of(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".onnx") || OnnxTeacherBundle.isBundle(file)) return onnx(file);
        if (name.endsWith(".json")) return results(file, BoxSelection.DEFAULT_THRESHOLD);
        return checkpoint(file);
    }

    /**
     * The teacher a model file names, with boxes of score {@code >= scoreThreshold} (at most 50 per image): an ONNX
     * teacher (a bundle from {@code import-onnx} or a {@code .onnx} file), or a checkpoint of this framework given as
     * the file or as its training folder ({@code best.zip}, else {@code last.zip}). What {@code distill --teacher}
     * takes; the one place that tells model kinds apart by their file.
     *
     * @throws NoSuchFileException if the file or folder does not exist, or the folder holds no checkpoint
     */
    public static TeacherSpec ofModel(Path fileOrDir, double scoreThreshold) throws NoSuchFileException {
        String name = fileOrDir.getFileName() == null ? "" : fileOrDir.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".onnx") || OnnxTeacherBundle.isBundle(fileOrDir)) {
            if (!java.nio.file.Files.isRegularFile(fileOrDir)) throw new NoSuchFileException(fileOrDir.toString());
            return onnx(fileOrDir).withSelection(scoreThreshold, BoxSelection.TEACH_DETR_MAX_PER_IMAGE);
        }
        return new TeacherSpec(TrainedDetector.resolve(fileOrDir), null, scoreThreshold, BoxSelection.TEACH_DETR_MAX_PER_IMAGE);
    }

    /** The same teacher with another box selection. */
    public TeacherSpec withSelection(double threshold, int max) {
        return new TeacherSpec(checkpoint, results, threshold, max, onnx, mapping);
    }

    /** Whether this is a native (checkpoint) teacher. */
    public boolean isNative() { return checkpoint != null; }

    /** Whether this is an ONNX teacher given as {@link #onnx} (a checkpoint path may also hold an ONNX bundle). */
    public boolean isOnnx() { return onnx != null; }

    /** The box selection of this spec. */
    public BoxSelection selection() { return new BoxSelection(scoreThreshold, maxPerImage); }

    /** The JSON object form (insertion-ordered map of plain values). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (checkpoint != null) m.put("checkpoint", checkpoint.toString());
        if (results != null) m.put("results", results.toString());
        if (onnx != null) m.put("onnx", onnx.toString());
        if (mapping != null) m.put("mapping", mapping.toString());
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
        String onnxFile = o.getString("onnx", null), map = o.getString("mapping", null);
        try {
            return new TeacherSpec(ckpt == null ? null : Path.of(ckpt), res == null ? null : Path.of(res),
                    o.getDouble("scoreThreshold", BoxSelection.DEFAULT_THRESHOLD),
                    o.getInt("maxPerImage", BoxSelection.TEACH_DETR_MAX_PER_IMAGE),
                    onnxFile == null ? null : Path.of(onnxFile), map == null ? null : Path.of(map));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
