package org.detrdistill.core.onnx;

import org.detrdistill.core.model.DetectorNames;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A teacher imported from ONNX: the rewritten, imported SameDiff graph, frozen (every weight a constant, no
 * trainable variable, no updater), with an {@link OnnxOutputMapping} from its outputs to the teacher contract of
 * {@link DetectorNames}: {@code pred_logits}, {@code pred_boxes}, {@code stage_<k>/logits|boxes|hidden},
 * {@code memory}, {@code feature_<l>}.
 *
 * <p>The graph is specialised to the input shape given at import (the exports are traced at a fixed size). When it
 * was imported for batch 1, {@link #run} takes any batch and runs the images one by one.
 *
 * <pre>{@code
 * OnnxTeacherGraph t = OnnxTeacherGraph.load(Path.of("teacher.onnx"), OnnxOutputMapping.detrDefaults(), example);
 * Map<String, INDArray> out = t.run(images);   // "pred_logits" [B,Q,C], "stage_0/boxes" [B,Q,4], ...
 * }</pre>
 */
public final class OnnxTeacherGraph {
    private final SameDiff sd;
    private final OnnxModel model;
    private final OnnxOutputMapping mapping;
    private final OnnxImporter.ImportedOnnx imported;
    private final String input;
    private final long[] inputShape;
    private final int numStages;

    private OnnxTeacherGraph(OnnxModel model, OnnxOutputMapping mapping, OnnxImporter.ImportedOnnx imported,
                             String input, long[] inputShape, int numStages) {
        this.model = model;
        this.mapping = mapping;
        this.imported = imported;
        this.sd = imported.sameDiff();
        this.input = input;
        this.inputShape = inputShape;
        this.numStages = numStages;
    }

    /**
     * Reads, rewrites, imports and freezes a teacher.
     *
     * @param onnxFile a model with one image input {@code [B,3,H,W]}
     * @param mapping  graph outputs to contract entries
     * @param example  an input of the shape the teacher will run at ({@code [1,3,H,W]} for per-image runs)
     * @throws IllegalArgumentException naming the unknown output names and listing the graph's outputs, or naming the
     *                                  file when it is not a single-input ONNX model
     */
    public static OnnxTeacherGraph load(java.nio.file.Path onnxFile, OnnxOutputMapping mapping, INDArray example) {
        return load(OnnxModel.read(onnxFile), mapping, example);
    }

    /**
     * Rewrites, imports and freezes a model already read (e.g. from a teacher bundle).
     *
     * @see #load(java.nio.file.Path, OnnxOutputMapping, INDArray)
     */
    public static OnnxTeacherGraph load(OnnxModel model, OnnxOutputMapping mapping, INDArray example) {
        checkMapping(model, mapping);
        if (model.inputs().size() != 1) {
            throw new IllegalArgumentException(model.source() + ": a teacher needs exactly one input (images), the graph has " + model.inputs());
        }
        String input = model.inputs().get(0).name();
        OnnxImporter.ImportedOnnx imp = OnnxImporter.importModel(model, Map.of(input, example), true);
        SameDiff sd = imp.sameDiff();
        List<String> trainable = new ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) trainable.add(v.name());
        if (!trainable.isEmpty()) sd.convertToConstants(trainable.stream().map(sd::getVariable).toList());
        int stages = 0;
        if (mapping.hidden() != null) stages = (int) outputShape(model, mapping.hidden())[0];
        else if (mapping.auxLogits() != null) stages = (int) outputShape(model, mapping.auxLogits())[0] + 1;
        else if (mapping.logits() != null) stages = 1;
        return new OnnxTeacherGraph(model, mapping, imp, input, example.shape(), stages);
    }

    /**
     * Checks that every output the mapping names is an output of the graph.
     *
     * @throws IllegalArgumentException naming the model, the unknown names (with their mapping fields) and the graph's
     *                                  outputs
     */
    public static void checkMapping(OnnxModel model, OnnxOutputMapping mapping) {
        List<String> outputs = model.outputNames();
        List<String> unknown = new ArrayList<>();
        mapping.byField().forEach((field, name) -> {
            if (!outputs.contains(name)) unknown.add(name + " (" + field + ")");
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(model.source() + ": the output mapping names " + unknown
                    + ", which are not outputs of the graph; its outputs are " + outputs);
        }
    }

    /**
     * An input to import with when no real one is at hand: only its shape matters (the rewrite folds exactly what does
     * not depend on the input), so a fixed pseudo-random image, drawn without touching ND4J's random state.
     */
    public static INDArray exampleInput(long[] shape) {
        java.util.Random r = new java.util.Random(0);
        float[] v = new float[Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Nd4j.createFromArray(v).reshape(shape);
    }

    private static long[] outputShape(OnnxModel m, String name) {
        for (OnnxModel.TensorInfo t : m.outputs()) {
            if (t.name().equals(name)) {
                if (!t.isStatic()) throw new IllegalArgumentException(m.source() + ": output '" + name + "' has no static shape " + java.util.Arrays.toString(t.shape()));
                return t.shape();
            }
        }
        throw new IllegalArgumentException(m.source() + " has no output '" + name + "'");
    }

    /** The frozen SameDiff graph (inputs under {@link #inputName()}). */
    public SameDiff sameDiff() { return sd; }

    /** The source model. */
    public OnnxModel model() { return model; }

    /** The output mapping. */
    public OnnxOutputMapping mapping() { return mapping; }

    /** What the rewrite did and how long import took. */
    public OnnxImporter.ImportedOnnx imported() { return imported; }

    /** The image input's name in the SameDiff graph. */
    public String inputName() { return imported.rewrite().nameOf(input); }

    /** The input shape the graph was imported for ({@code [B,3,H,W]}). */
    public long[] inputShape() { return inputShape.clone(); }

    /** Decoder stages L (from the hidden-state or aux outputs). */
    public int numStages() { return numStages; }

    /** The contract entries ({@link DetectorNames}) this teacher provides, in a stable order. */
    public Set<String> provides() {
        Set<String> out = new LinkedHashSet<>();
        if (mapping.logits() != null) out.add(DetectorNames.LOGITS);
        if (mapping.boxes() != null) out.add(DetectorNames.BOXES);
        for (int k = 0; k < numStages; k++) {
            boolean last = k == numStages - 1;
            if (last ? mapping.logits() != null : mapping.auxLogits() != null) out.add(DetectorNames.stageLogits(k));
            if (last ? mapping.boxes() != null : mapping.auxBoxes() != null) out.add(DetectorNames.stageBoxes(k));
            if (mapping.hidden() != null) out.add(DetectorNames.stageHidden(k));
        }
        if (mapping.memory() != null) out.add(DetectorNames.MEMORY);
        for (int l = 0; l < mapping.features().size(); l++) out.add(DetectorNames.feature(l));
        return out;
    }

    /**
     * Runs the graph on an input of exactly the import shape and returns the named graph outputs, by ONNX name and in
     * the graph's own shapes (no contract mapping): e.g. to compare with the exporter's reference outputs.
     *
     * @throws IllegalArgumentException naming outputs the graph does not have, or when the shape differs
     */
    public Map<String, INDArray> graphOutputs(INDArray input, List<String> onnxNames) {
        if (!java.util.Arrays.equals(input.shape(), inputShape)) {
            throw new IllegalArgumentException("the input must be " + java.util.Arrays.toString(inputShape)
                    + " (the import shape), got " + java.util.Arrays.toString(input.shape()));
        }
        List<String> unknown = onnxNames.stream().filter(n -> !model.outputNames().contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(model.source() + " has no output(s) " + unknown + "; its outputs are " + model.outputNames());
        }
        String[] sdNames = onnxNames.stream().map(imported.rewrite()::nameOf).toArray(String[]::new);
        Map<String, INDArray> raw = sd.output(Map.of(inputName(), input.castTo(sd.getVariable(inputName()).dataType())), sdNames);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < sdNames.length; i++) out.put(onnxNames.get(i), raw.get(sdNames[i]));
        return out;
    }

    /**
     * Runs a batch and returns every provided contract entry.
     *
     * @param images {@code [B,3,H,W]} normalised images at the size given at import; B must equal the import batch,
     *               or any B when the import batch was 1
     * @return by contract name: {@code pred_logits [B,Q,C]}, {@code pred_boxes [B,Q,4]} (cxcywh normalised),
     * {@code stage_<k>/logits|boxes|hidden}, {@code memory [B,S,d]}
     * @throws IllegalArgumentException if the image shape differs from the import shape
     */
    public Map<String, INDArray> run(INDArray images) {
        long[] s = images.shape();
        boolean perImage = inputShape[0] == 1 && s.length == 4 && s[0] != 1;
        for (int i = 1; i < inputShape.length; i++) {
            if (s.length != inputShape.length || s[i] != inputShape[i]) {
                throw new IllegalArgumentException("images must be " + java.util.Arrays.toString(inputShape)
                        + " (the teacher was imported at this size; batch may vary when imported with batch 1), got "
                        + java.util.Arrays.toString(s));
            }
        }
        if (!perImage && s[0] != inputShape[0]) {
            throw new IllegalArgumentException("batch " + s[0] + " differs from the import batch " + inputShape[0]);
        }
        if (!perImage) return contract(runGraph(images));
        List<Map<String, INDArray>> parts = new ArrayList<>();
        for (long b = 0; b < s[0]; b++) {
            parts.add(contract(runGraph(images.get(NDArrayIndex.interval(b, b + 1)).dup())));
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String k : parts.get(0).keySet()) {
            INDArray[] xs = parts.stream().map(p -> p.get(k)).toArray(INDArray[]::new);
            out.put(k, Nd4j.concat(0, xs));
        }
        return out;
    }

    private Map<String, INDArray> runGraph(INDArray images) {
        List<String> names = new ArrayList<>(new LinkedHashSet<>(mapping.byField().values()));
        String[] sdNames = names.stream().map(imported.rewrite()::nameOf).toArray(String[]::new);
        Map<String, INDArray> raw = sd.output(Map.of(inputName(), images.castTo(sd.getVariable(inputName()).dataType())), sdNames);
        Map<String, INDArray> byOnnx = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) byOnnx.put(names.get(i), raw.get(sdNames[i]));
        return byOnnx;
    }

    /** Graph outputs (by ONNX name) to contract entries; batch axis first everywhere. */
    private Map<String, INDArray> contract(Map<String, INDArray> g) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (mapping.logits() != null) out.put(DetectorNames.LOGITS, g.get(mapping.logits()));
        if (mapping.boxes() != null) out.put(DetectorNames.BOXES, g.get(mapping.boxes()));
        for (int k = 0; k < numStages; k++) {
            boolean last = k == numStages - 1;
            if (last) {
                if (mapping.logits() != null) out.put(DetectorNames.stageLogits(k), g.get(mapping.logits()));
                if (mapping.boxes() != null) out.put(DetectorNames.stageBoxes(k), g.get(mapping.boxes()));
            } else {
                if (mapping.auxLogits() != null) out.put(DetectorNames.stageLogits(k), stage(g.get(mapping.auxLogits()), k));
                if (mapping.auxBoxes() != null) out.put(DetectorNames.stageBoxes(k), stage(g.get(mapping.auxBoxes()), k));
            }
            if (mapping.hidden() != null) out.put(DetectorNames.stageHidden(k), stage(g.get(mapping.hidden()), k));
        }
        if (mapping.memory() != null) {
            INDArray m = g.get(mapping.memory());
            out.put(DetectorNames.MEMORY, mapping.memorySequenceFirst() ? m.permute(1, 0, 2).dup('c') : m);
        }
        for (int l = 0; l < mapping.features().size(); l++) out.put(DetectorNames.feature(l), g.get(mapping.features().get(l)));
        return out;
    }

    private static INDArray stage(INDArray stacked, int k) {
        return stacked.get(NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
    }
}
