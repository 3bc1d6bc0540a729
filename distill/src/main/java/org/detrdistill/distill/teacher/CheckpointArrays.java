package org.detrdistill.distill.teacher;

import org.detrdistill.core.train.Checkpoint;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads a checkpoint's arrays by graph name into a freshly built graph of the same configuration, checking names, shapes
 * and types of every parameter and constant of the graph first (nothing changes unless all fit). Arrays of the
 * checkpoint that the detector graph does not have are ignored: they belong to the training objective the checkpoint
 * was saved with (loss constants, distillation adapters). Unlike
 * {@link Checkpoint#restore} it needs no optimizer and leaves ND4J's random state alone: loading a teacher must not
 * disturb the student's run.
 */
final class CheckpointArrays {
    private CheckpointArrays() {}

    static void load(SameDiff sd, Checkpoint c, String source) {
        Map<String, INDArray> params = new LinkedHashMap<>(), consts = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            INDArray a = v.getArr();
            if (v.getVariableType() == VariableType.VARIABLE) params.put(v.name(), a);
            else if (v.getVariableType() == VariableType.CONSTANT && a != null && a.dataType().isFPType()) consts.put(v.name(), a);
        }
        List<String> problems = new ArrayList<>();
        compare("parameter", c.parameters(), params, problems);
        compare("constant", c.constants(), consts, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("teacher checkpoint " + source + " does not fit the detector its own "
                    + "config describes:\n  - " + String.join("\n  - ", problems));
        }
        params.forEach((k, a) -> a.assign(c.parameters().get(k)));
        consts.forEach((k, a) -> a.assign(c.constants().get(k)));
    }

    private static void compare(String kind, Map<String, INDArray> saved, Map<String, INDArray> graph, List<String> problems) {
        Set<String> missing = new TreeSet<>(graph.keySet());
        missing.removeAll(saved.keySet());
        if (!missing.isEmpty()) problems.add(kind + "s missing from the checkpoint: " + missing);
        saved.forEach((k, a) -> {
            INDArray g = graph.get(k);
            if (g != null && (!Arrays.equals(g.shape(), a.shape()) || g.dataType() != a.dataType())) {
                problems.add(kind + " '" + k + "': checkpoint " + a.dataType() + Arrays.toString(a.shape())
                        + ", graph " + g.dataType() + Arrays.toString(g.shape()));
            }
        });
    }
}
