package org.detrdistill.distill.teacher;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.distill.Teacher;

/**
 * A teacher that is a detector run on the student's batches ({@link NativeTeacher}, {@link OnnxTeacher}): it has a
 * fixed input canvas, a class count and (usually) a known model width. Distillation terms check these when they are
 * built, so that a mismatch fails before training with both values in the message rather than at the first step.
 */
public interface DetectorTeacher extends Teacher {

    /** Height of the input canvas the teacher runs at. */
    int inputHeight();

    /** Width of the input canvas the teacher runs at. */
    int inputWidth();

    /** Number of (sigmoid) classes C of its logits. */
    int numClasses();

    /** Its model width d_T (of the hidden states and features), or 0 when the teacher does not expose it. */
    int hiddenDim();

    /**
     * Checks that this teacher can supervise {@code student}: the same input canvas (teacher outputs are computed on the
     * student's batches, and feature maps must align).
     *
     * @param term named in the message
     * @throws IllegalArgumentException saying which sizes differ and why they must not
     */
    default void requireSameCanvas(DetectorConfig student, String term) {
        if (inputHeight() != student.inputHeight() || inputWidth() != student.inputWidth()) {
            throw new IllegalArgumentException(term + ": the teacher " + describe() + " has the input canvas "
                    + inputHeight() + "x" + inputWidth() + ", the student " + student.inputHeight() + "x"
                    + student.inputWidth() + "; teacher and student must share the canvas (both run on the same padded "
                    + "batches): build the student with inputSize(" + inputHeight() + ", " + inputWidth() + ")");
        }
    }

    /**
     * Checks that teacher and student predict the same classes.
     *
     * @param term named in the message
     * @param why  why the term needs it, e.g. {@code logits distillation compares class scores one to one}
     * @throws IllegalArgumentException with both class counts
     */
    default void requireSameClasses(DetectorConfig student, String term, String why) {
        if (numClasses() != student.numClasses()) {
            throw new IllegalArgumentException(term + ": the teacher predicts " + numClasses() + " classes, the student "
                    + student.numClasses() + "; " + why + ", so both need the same classes");
        }
    }
}
