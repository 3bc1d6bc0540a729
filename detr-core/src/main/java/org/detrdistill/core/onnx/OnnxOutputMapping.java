package org.detrdistill.core.onnx;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.detrdistill.core.model.DetectorNames;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * Which ONNX graph output feeds which entry of the teacher contract ({@code DetectorNames}). Every field is optional
 * (null = the teacher does not provide it). JSON form, e.g. {@code tools/export_onnx.py}'s naming:
 * <pre>{@code
 * {"logits": "pred_logits", "boxes": "pred_boxes", "auxLogits": "aux_logits", "auxBoxes": "aux_boxes",
 *  "hidden": "hs", "memory": "memory", "memorySequenceFirst": true, "features": ["feature_0"]}
 * }</pre>
 *
 * @param logits              output {@code [B,Q,C]} final class logits → {@code pred_logits} (and the last stage)
 * @param boxes               output {@code [B,Q,4]} final boxes, cxcywh normalised → {@code pred_boxes}
 * @param auxLogits           output {@code [L-1,B,Q,C]}, the earlier decoder stages stacked → {@code stage_<k>/logits}
 * @param auxBoxes            output {@code [L-1,B,Q,4]} → {@code stage_<k>/boxes}
 * @param hidden              output {@code [L,B,Q,d]} decoder hidden states → {@code stage_<k>/hidden}
 * @param memory              encoder output → {@code memory} {@code [B,S,d]}
 * @param memorySequenceFirst true when the memory output is {@code [S,B,d]} (DETR, Conditional DETR); it is
 *                            transposed to the contract's {@code [B,S,d]}
 * @param features            outputs {@code [B,d,H_l,W_l]}, finest level first → {@code feature_<l>} (the neck
 *                            outputs: {@code tools/export_onnx.py --features input_proj}); empty when not exported
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record OnnxOutputMapping(String logits, String boxes, String auxLogits, String auxBoxes, String hidden,
                                String memory, boolean memorySequenceFirst, List<String> features) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Field names of the JSON form. */
    public static final List<String> FIELDS = List.of("logits", "boxes", "auxLogits", "auxBoxes", "hidden", "memory",
            "memorySequenceFirst", "features");

    @JsonCreator
    public OnnxOutputMapping {
        features = features == null ? List.of() : List.copyOf(features);
    }

    /** Without feature outputs. */
    public OnnxOutputMapping(String logits, String boxes, String auxLogits, String auxBoxes, String hidden,
                             String memory, boolean memorySequenceFirst) {
        this(logits, boxes, auxLogits, auxBoxes, hidden, memory, memorySequenceFirst, List.of());
    }

    /** The names {@code tools/export_onnx.py} and the reference fixtures use, memory sequence-first. */
    public static OnnxOutputMapping detrDefaults() {
        return builder().logits("pred_logits").boxes("pred_boxes").auxLogits("aux_logits").auxBoxes("aux_boxes")
                .hidden("hs").memory("memory").memorySequenceFirst(true).build();
    }

    /** The file name {@code tools/export_onnx.py} writes the mapping to, beside {@code model.onnx}. */
    public static final String EXPORT_FILE = "onnx_output_mapping.json";

    /**
     * The mapping of a model when none is given: {@value #EXPORT_FILE} beside the model file when it exists (what
     * {@code tools/export_onnx.py} writes), else {@link #defaultsFor(OnnxModel)}.
     */
    public static OnnxOutputMapping forModel(Path onnxFile, OnnxModel model) {
        Path beside = onnxFile.toAbsolutePath().resolveSibling(EXPORT_FILE);
        return Files.isRegularFile(beside) ? read(beside) : defaultsFor(model);
    }

    /**
     * {@link #detrDefaults()} restricted to the outputs the model has, with {@code features} = its outputs
     * {@code feature_0, feature_1, ...} and {@link #memorySequenceFirst} guessed from the memory output's shape
     * ({@code [S,B,d]} when its second dimension, not its first, is the input batch).
     */
    public static OnnxOutputMapping defaultsFor(OnnxModel model) {
        List<String> outputs = model.outputNames();
        Builder b = detrDefaults().restrictTo(outputs).toBuilder().memorySequenceFirst(false);
        List<String> features = new ArrayList<>();
        for (int l = 0; outputs.contains(DetectorNames.feature(l)); l++) features.add(DetectorNames.feature(l));
        b.features(features);
        long batch = model.inputs().size() == 1 && model.inputs().get(0).shape().length > 0 ? model.inputs().get(0).shape()[0] : -1;
        for (OnnxModel.TensorInfo t : model.outputs()) {
            long[] sh = t.shape();
            if (t.name().equals("memory") && sh.length == 3 && batch > 0) b.memorySequenceFirst(sh[1] == batch && sh[0] != batch);
        }
        return b.build();
    }

    /** Mapped graph-output names by field name (only the set ones; feature l as {@code features[l]}). */
    public Map<String, String> byField() {
        Map<String, String> m = new LinkedHashMap<>();
        if (logits != null) m.put("logits", logits);
        if (boxes != null) m.put("boxes", boxes);
        if (auxLogits != null) m.put("auxLogits", auxLogits);
        if (auxBoxes != null) m.put("auxBoxes", auxBoxes);
        if (hidden != null) m.put("hidden", hidden);
        if (memory != null) m.put("memory", memory);
        for (int l = 0; l < features.size(); l++) m.put("features[" + l + "]", features.get(l));
        return m;
    }

    /**
     * The mapping restricted to the given graph outputs: fields naming anything else are unset (features are kept only
     * when all of them are outputs). For defaults such as {@link #detrDefaults()} on a graph that lacks some outputs.
     */
    public OnnxOutputMapping restrictTo(Collection<String> outputs) {
        UnaryOperator<String> keep = n -> n != null && outputs.contains(n) ? n : null;
        return new OnnxOutputMapping(keep.apply(logits), keep.apply(boxes), keep.apply(auxLogits), keep.apply(auxBoxes),
                keep.apply(hidden), keep.apply(memory), memorySequenceFirst,
                outputs.containsAll(features) ? features : List.of());
    }

    /**
     * Graph outputs by ONNX name from contract arrays (the inverse of what {@code OnnxTeacherGraph} maps): a native
     * detector's outputs in the shapes the exported graph has, e.g. to compare them with the PyTorch outputs. Stages
     * are stacked ({@code aux_*} from stages {@code 0..L-2}, {@code hidden} from all L), the memory is transposed back
     * when {@link #memorySequenceFirst}. Fields whose contract entries are absent are left out.
     *
     * @param contract  by {@code DetectorNames} name ({@code pred_logits}, {@code stage_<k>/boxes}, {@code memory}, ...)
     * @param numStages decoder stages L
     */
    public Map<String, INDArray> toGraphOutputs(Map<String, INDArray> contract, int numStages) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (logits != null && contract.containsKey(DetectorNames.LOGITS)) out.put(logits, contract.get(DetectorNames.LOGITS));
        if (boxes != null && contract.containsKey(DetectorNames.BOXES)) out.put(boxes, contract.get(DetectorNames.BOXES));
        if (auxLogits != null) putStacked(out, auxLogits, contract, DetectorNames::stageLogits, numStages - 1);
        if (auxBoxes != null) putStacked(out, auxBoxes, contract, DetectorNames::stageBoxes, numStages - 1);
        if (hidden != null) putStacked(out, hidden, contract, DetectorNames::stageHidden, numStages);
        if (memory != null && contract.containsKey(DetectorNames.MEMORY)) {
            INDArray m = contract.get(DetectorNames.MEMORY);
            out.put(memory, memorySequenceFirst ? m.permute(1, 0, 2).dup('c') : m);
        }
        for (int l = 0; l < features.size(); l++) {
            INDArray f = contract.get(DetectorNames.feature(l));
            if (f != null) out.put(features.get(l), f);
        }
        return out;
    }

    private static void putStacked(Map<String, INDArray> out, String name, Map<String, INDArray> contract,
                                   IntFunction<String> entry, int stages) {
        if (stages < 1) return;
        List<INDArray> parts = new ArrayList<>();
        for (int k = 0; k < stages; k++) {
            INDArray a = contract.get(entry.apply(k));
            if (a == null) return;
            parts.add(a);
        }
        out.put(name, Nd4j.stack(0, parts.toArray(new INDArray[0])));
    }

    /** The mapping as indented JSON (unset fields omitted). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a mapping.
     *
     * @param source named in error messages
     * @throws IllegalArgumentException naming the source and the bad field (unknown fields are rejected)
     */
    public static OnnxOutputMapping fromJson(String json, String source) {
        try {
            return JSON.readValue(json, OnnxOutputMapping.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid ONNX output mapping " + source + ": " + e.getOriginalMessage()
                    + " (fields: " + String.join(", ", FIELDS) + ")", e);
        }
    }

    /** Reads a mapping file. */
    public static OnnxOutputMapping read(Path file) {
        try {
            return fromJson(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read ONNX output mapping " + file + ": " + e.getMessage(), e);
        }
    }

    /** A builder with every field unset. */
    public static Builder builder() { return new Builder(); }

    /** A builder starting from this mapping. */
    public Builder toBuilder() {
        return builder().logits(logits).boxes(boxes).auxLogits(auxLogits).auxBoxes(auxBoxes).hidden(hidden).memory(memory)
                .memorySequenceFirst(memorySequenceFirst).features(features);
    }

    /** Builder; every field starts unset (null / false / no features). */
    public static final class Builder {
        private String logits, boxes, auxLogits, auxBoxes, hidden, memory;
        private boolean memorySequenceFirst;
        private List<String> features = List.of();

        public Builder logits(String v) { logits = v; return this; }
        public Builder boxes(String v) { boxes = v; return this; }
        public Builder auxLogits(String v) { auxLogits = v; return this; }
        public Builder auxBoxes(String v) { auxBoxes = v; return this; }
        public Builder hidden(String v) { hidden = v; return this; }
        public Builder memory(String v) { memory = v; return this; }
        public Builder memorySequenceFirst(boolean v) { memorySequenceFirst = v; return this; }
        /** Feature outputs, finest level first. */
        public Builder features(List<String> v) { features = v == null ? List.of() : List.copyOf(v); return this; }
        public Builder features(String... v) { return features(List.of(v)); }

        public OnnxOutputMapping build() {
            return new OnnxOutputMapping(logits, boxes, auxLogits, auxBoxes, hidden, memory, memorySequenceFirst, features);
        }
    }
}
