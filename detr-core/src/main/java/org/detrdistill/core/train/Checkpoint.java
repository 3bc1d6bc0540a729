package org.detrdistill.core.train;

import org.detrdistill.core.model.DetectorConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything needed to resume training bit-for-bit: the model's arrays by graph name, the optimizer state, the
 * detector configuration, where training stands, and the random state. The maps are unmodifiable; the arrays are
 * held as given ({@link #capture} and the reader make private copies), so do not mutate them. Saved and read by
 * {@link CheckpointFile} / {@link CheckpointStore}.
 *
 * <p>Arrays keep the graph's layout (conv kernels YXIO, see {@code ParamFactory}), not PyTorch's: a checkpoint is
 * for resuming and evaluating this framework's graphs. Frozen backbone stages are graph constants: they are saved too
 * ({@link #constants}), so a fresh graph needs no pretrained weights before {@link #restore}.
 *
 * @param config          the detector's architecture (saved as {@code config.json} via {@link DetectorConfig#toJson()})
 * @param parameters      every VARIABLE of the graph (trainable and frozen-by-name), by name, in graph order
 * @param constants       every floating-point CONSTANT of the graph with an array, by name
 * @param optimizer       AdamW state by parameter name (parameters without state were never updated)
 * @param optimizerConfig the AdamW hyper-parameters at save time (informational: a resumed run may change them)
 * @param training        epoch, step, best metric
 * @param rng             Java and ND4J random state
 */
public record Checkpoint(DetectorConfig config, Map<String, INDArray> parameters, Map<String, INDArray> constants,
                         Map<String, AdamW.ParamState> optimizer, AdamWConfig optimizerConfig, TrainingState training,
                         RngState rng) {

    public Checkpoint {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(optimizerConfig, "optimizerConfig");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(rng, "rng");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        optimizer = Collections.unmodifiableMap(new LinkedHashMap<>(optimizer));
        for (String name : constants.keySet()) {
            if (parameters.containsKey(name)) throw new IllegalArgumentException("'" + name + "' is both a parameter and a constant");
        }
        for (Map.Entry<String, AdamW.ParamState> e : optimizer.entrySet()) {
            INDArray p = parameters.get(e.getKey());
            if (p == null) throw new IllegalArgumentException("optimizer state for '" + e.getKey() + "', which is not a parameter");
            if (!Arrays.equals(p.shape(), e.getValue().expAvg().shape())) {
                throw new IllegalArgumentException("optimizer state of '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().expAvg().shape()) + ", parameter " + Arrays.toString(p.shape()));
            }
        }
    }

    /**
     * Copies the current state of a run.
     *
     * @param sd       the graph being trained
     * @param config   its detector configuration
     * @param adamw    the optimizer
     * @param training where training stands (typically {@code step} = steps done, {@code epoch} = next epoch)
     * @param random   the Java-side generator of the run (its state is read, not advanced)
     */
    public static Checkpoint capture(SameDiff sd, DetectorConfig config, AdamW adamw, TrainingState training, SplitMix64 random) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        Map<String, INDArray> consts = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            INDArray a = v.getArr();
            if (v.getVariableType() == VariableType.VARIABLE) params.put(v.name(), a.dup());
            else if (v.getVariableType() == VariableType.CONSTANT && a != null && a.dataType().isFPType()) consts.put(v.name(), a.dup());
        }
        return new Checkpoint(config, params, consts, adamw.snapshot(), adamw.config(), training, RngState.capture(random));
    }

    /**
     * Writes the arrays into {@code sd} (in place, keeping the graph's array objects), replaces {@code adamw}'s state and
     * restores ND4J's random generator. Everything is checked before anything changes.
     *
     * @throws IllegalArgumentException listing every parameter or constant that is missing on either side or differs
     *                                  in shape or data type, and optimizer state of parameters frozen in {@code adamw}
     */
    public void restore(SameDiff sd, AdamW adamw) {
        List<String> problems = new ArrayList<>();
        for (String name : optimizer.keySet()) {
            if (adamw.setting(name).frozen()) problems.add("optimizer state for '" + name + "', which is frozen in this run");
        }
        assignArrays(sd, problems, false);
        adamw.load(optimizer);
        rng.restoreNd4j();
    }

    /**
     * Writes only the model arrays (every parameter and floating-point constant) into {@code sd}, in place: for
     * evaluation, inference or fine-tuning with a fresh optimizer. The optimizer state and the random state are not
     * touched. Arrays of the checkpoint that {@code sd} does not have are skipped: a training graph also holds the
     * loss's constants and the training objective's own parameters (e.g. a distillation's adapters and projection
     * heads), which a detector built for inference lacks. Every array of {@code sd} must be in the checkpoint with its
     * shape and type; everything is checked before anything changes.
     *
     * @param sd a graph built from {@link #config()} (e.g. {@code Detectors.build(checkpoint.config(), FLOAT, seed)})
     * @throws IllegalArgumentException listing every parameter or constant of the graph missing from the checkpoint,
     *                                  and every array that differs in shape or data type
     */
    public void restoreWeights(SameDiff sd) {
        assignArrays(sd, new ArrayList<>(), true);
    }

    /**
     * Checks every array against {@code sd} (adding to {@code problems}); throws if any, else assigns them all.
     * {@code skipUnknown}: checkpoint arrays (parameters and constants) the graph lacks are ignored instead of reported.
     */
    private void assignArrays(SameDiff sd, List<String> problems, boolean skipUnknown) {
        Map<String, INDArray> graphParams = new LinkedHashMap<>(), graphConsts = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            INDArray a = v.getArr();
            if (v.getVariableType() == VariableType.VARIABLE) graphParams.put(v.name(), a);
            else if (v.getVariableType() == VariableType.CONSTANT && a != null && a.dataType().isFPType()) graphConsts.put(v.name(), a);
        }
        Map<String, INDArray> savedParams = parameters, savedConsts = constants;
        if (skipUnknown) {
            savedParams = new LinkedHashMap<>(parameters);
            savedParams.keySet().retainAll(graphParams.keySet());
            savedConsts = new LinkedHashMap<>(constants);
            savedConsts.keySet().retainAll(graphConsts.keySet());
        }
        compare("parameter", savedParams, graphParams, problems);
        compare("constant", savedConsts, graphConsts, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("checkpoint does not fit the graph:\n  - " + String.join("\n  - ", problems));
        }
        savedParams.forEach((k, a) -> graphParams.get(k).assign(a));
        savedConsts.forEach((k, a) -> graphConsts.get(k).assign(a));
    }

    private static void compare(String kind, Map<String, INDArray> saved, Map<String, INDArray> graph, List<String> problems) {
        Set<String> missing = new TreeSet<>(graph.keySet());
        missing.removeAll(saved.keySet());
        Set<String> unknown = new TreeSet<>(saved.keySet());
        unknown.removeAll(graph.keySet());
        if (!missing.isEmpty()) problems.add(kind + "s of the graph missing from the checkpoint: " + missing);
        if (!unknown.isEmpty()) problems.add(kind + "s in the checkpoint but not in the graph: " + unknown);
        for (Map.Entry<String, INDArray> e : saved.entrySet()) {
            INDArray g = graph.get(e.getKey());
            if (g == null) continue;
            if (!Arrays.equals(g.shape(), e.getValue().shape()) || g.dataType() != e.getValue().dataType()) {
                problems.add(kind + " '" + e.getKey() + "': checkpoint " + e.getValue().dataType() + Arrays.toString(e.getValue().shape())
                        + ", graph " + g.dataType() + Arrays.toString(g.shape()));
            }
        }
    }

    /** A Java generator continuing the saved random stream. */
    public SplitMix64 random() { return rng.javaRandom(); }
}
