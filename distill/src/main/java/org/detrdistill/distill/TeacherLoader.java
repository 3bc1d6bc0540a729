package org.detrdistill.distill;

import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.postprocess.PostProcessor;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.core.onnx.OnnxOutputMapping;
import org.detrdistill.core.onnx.OnnxTeacherBundle;
import org.detrdistill.distill.teacher.NativeTeacher;
import org.detrdistill.distill.teacher.OnnxTeacher;
import org.detrdistill.distill.teacher.ResultsFileTeacher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Loads the teachers a {@link DistillationConfig} names and remembers them, so that whoever built the distillation can
 * close them all. Native and ONNX teachers get the given matcher (their own assignment to the ground truth) and the
 * spec's box selection; results-file teachers are read for the training dataset (its categories and image sizes). A
 * {@code checkpoint} path that holds an ONNX teacher bundle ({@code import-onnx} output) is loaded as an ONNX teacher.
 */
public final class TeacherLoader implements AutoCloseable {
    private final CocoDataset trainData;
    private final MatcherConfig matcher;
    private final List<Teacher> loaded = new ArrayList<>();

    /**
     * @param trainData the training set (needed by results-file teachers; may be null when none is used)
     * @param matcher   the student's main matcher, used for a native teacher's own assignment
     */
    public TeacherLoader(CocoDataset trainData, MatcherConfig matcher) {
        this.trainData = trainData;
        this.matcher = Objects.requireNonNull(matcher, "matcher");
    }

    /**
     * Loads one teacher.
     *
     * @throws IllegalArgumentException a file cannot be read or does not fit (the message names it), or a results file
     *                                  is given without a training dataset
     */
    public Teacher load(TeacherSpec spec) {
        Teacher t;
        NativeTeacher.Options options = new NativeTeacher.Options(matcher, PostProcessor.DEFAULT_TOP_K, spec.selection());
        if (spec.isOnnx()) {
            t = OnnxTeacherBundle.isBundle(spec.onnx()) ? OnnxTeacher.load(spec.onnx(), options)
                    : OnnxTeacher.load(spec.onnx(), spec.mapping() == null ? null : OnnxOutputMapping.read(spec.mapping()), options);
        } else if (spec.isNative() && OnnxTeacherBundle.isBundle(spec.checkpoint())) {
            t = OnnxTeacher.load(spec.checkpoint(), options);     // an import-onnx bundle named as a checkpoint
        } else if (spec.isNative()) {
            t = NativeTeacher.load(spec.checkpoint(), options);
        } else {
            if (trainData == null) {
                throw new IllegalArgumentException("the results-file teacher " + spec.results() + " needs the training "
                        + "dataset (its categories and image sizes)");
            }
            try {
                t = ResultsFileTeacher.read(spec.results(), trainData, spec.selection());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the teacher results " + spec.results() + ": " + e.getMessage(), e);
            }
        }
        loaded.add(t);
        return t;
    }

    /** Every teacher loaded so far, in order. */
    public List<Teacher> loaded() { return List.copyOf(loaded); }

    /** Closes every loaded teacher. */
    @Override
    public void close() {
        for (Teacher t : loaded) {
            try {
                t.close();
            } catch (Exception ignored) {
                // closing a teacher frees memory only; nothing to recover
            }
        }
        loaded.clear();
    }
}
