package org.detrdistill.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.distill.DistillationConfig;

/**
 * What {@code train --print-config} and {@code distill --print-config} print: one JSON object
 * {@code {"detector": DetectorConfig, "trainer": TrainerConfig[, "distillation": DistillationConfig or null]}}. Each
 * part is the JSON its own reader takes ({@code --config FILE}, {@code --distill-config FILE}), e.g.
 * {@code ... --print-config | jq .distillation > distill.json}.
 */
final class EffectiveConfig {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EffectiveConfig() {}

    /**
     * @param distillation the distillation, or null for plain training
     * @param withDistillation whether to include the {@code distillation} field at all ({@code distill}: yes, null
     *                         meaning "no distillation term")
     */
    static String json(DetectorConfig detector, TrainerConfig trainer, DistillationConfig distillation, boolean withDistillation) {
        try {
            ObjectNode root = JSON.createObjectNode();
            root.set("detector", JSON.readTree(detector.toJson()));
            root.set("trainer", JSON.readTree(trainer.toJson()));
            if (withDistillation) {
                root.set("distillation", distillation == null ? JSON.nullNode() : JSON.readTree(distillation.toJson()));
            }
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print the configuration: " + e.getOriginalMessage(), e);
        }
    }
}
