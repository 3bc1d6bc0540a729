package org.detrdistill.distill.detrdistill;

import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.TeacherOutputs;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** A test teacher returning fixed arrays whatever the batch. */
final class FixedTeacher implements Teacher {
    private final Map<String, INDArray> arrays;
    private final int stages;

    FixedTeacher(Map<String, INDArray> arrays, int stages) {
        this.arrays = Map.copyOf(arrays);
        this.stages = stages;
    }

    @Override public Set<String> provides() { return arrays.keySet(); }

    @Override public int numStages() { return stages; }

    @Override public TeacherOutputs run(DetectionBatch batch) { return outputs(); }

    TeacherOutputs outputs() { return new TeacherOutputs(arrays, List.of(), List.of(), List.of(), List.of()); }

    @Override public String describe() { return "fixed test teacher"; }
}
