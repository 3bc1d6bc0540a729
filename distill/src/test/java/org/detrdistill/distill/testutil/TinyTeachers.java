package org.detrdistill.distill.testutil;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.TinyDetectors;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.distill.teacher.NativeTeacher;
import org.nd4j.linalg.api.buffer.DataType;

/** Native teachers for tests: a tiny detector frozen through an in-memory checkpoint, as a checkpoint file would be. */
public final class TinyTeachers {
    /** Width of {@link #wider}'s hidden state. */
    public static final int WIDTH = 24;
    /** Decoder stages of {@link #wider}. */
    public static final int STAGES = 3;
    /** Queries of {@link #wider}. */
    public static final int QUERIES = 5;

    private TinyTeachers() {}

    /** A teacher of {@code variant}, wider (24), deeper (3 stages) and with more queries (5) than the usual test student. */
    public static NativeTeacher wider(Variant variant) {
        DetectorGraph t = Detectors.build(TinyDetectors.config(variant, WIDTH, STAGES, QUERIES), DataType.FLOAT, 21);
        Checkpoint c = Checkpoint.capture(t.sameDiff(), t.config(), new AdamW(AdamWConfig.builder().build(), ParamGroups.uniform()),
                TrainingState.initial(), new SplitMix64(1));
        return NativeTeacher.fromCheckpoint(c, "in-memory " + variant, NativeTeacher.Options.defaults());
    }
}
