package org.detrdistill.core.onnx;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which ONNX graph output feeds which entry of the teacher contract ({@code DetectorNames}). Every field is optional
 * (null = the teacher does not provide it). JSON form, e.g. {@code tools/export_onnx.py}'s naming:
 * <pre>{@code
 * {"logits": "pred_logits", "boxes": "pred_boxes", "auxLogits": "aux_logits", "auxBoxes": "aux_boxes",
 *  "hidden": "hs", "memory": "memory", "memorySequenceFirst": true}
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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OnnxOutputMapping(String logits, String boxes, String auxLogits, String auxBoxes, String hidden,
                                String memory, boolean memorySequenceFirst) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The names {@code tools/export_onnx.py} and the reference fixtures use, memory sequence-first. */
    public static OnnxOutputMapping detrDefaults() {
        return builder().logits("pred_logits").boxes("pred_boxes").auxLogits("aux_logits").auxBoxes("aux_boxes")
                .hidden("hs").memory("memory").memorySequenceFirst(true).build();
    }

    /** Mapped graph-output names by field name (only the non-null ones). */
    public Map<String, String> byField() {
        Map<String, String> m = new LinkedHashMap<>();
        if (logits != null) m.put("logits", logits);
        if (boxes != null) m.put("boxes", boxes);
        if (auxLogits != null) m.put("auxLogits", auxLogits);
        if (auxBoxes != null) m.put("auxBoxes", auxBoxes);
        if (hidden != null) m.put("hidden", hidden);
        if (memory != null) m.put("memory", memory);
        return m;
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
                    + " (fields: logits, boxes, auxLogits, auxBoxes, hidden, memory, memorySequenceFirst)", e);
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
                .memorySequenceFirst(memorySequenceFirst);
    }

    /** Builder; every field starts unset (null / false). */
    public static final class Builder {
        private String logits, boxes, auxLogits, auxBoxes, hidden, memory;
        private boolean memorySequenceFirst;

        public Builder logits(String v) { logits = v; return this; }
        public Builder boxes(String v) { boxes = v; return this; }
        public Builder auxLogits(String v) { auxLogits = v; return this; }
        public Builder auxBoxes(String v) { auxBoxes = v; return this; }
        public Builder hidden(String v) { hidden = v; return this; }
        public Builder memory(String v) { memory = v; return this; }
        public Builder memorySequenceFirst(boolean v) { memorySequenceFirst = v; return this; }

        public OnnxOutputMapping build() {
            return new OnnxOutputMapping(logits, boxes, auxLogits, auxBoxes, hidden, memory, memorySequenceFirst);
        }
    }
}
