package org.detrdistill.core.matcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Configuration of the {@link HungarianMatcher}: which class cost, and the weights of the three cost terms
 * {@code C = bboxWeight * L1(cxcywh) + classWeight * classCost + giouWeight * (-GIoU)}.
 *
 * @param classCost   the classification cost (see {@link ClassCost})
 * @param classWeight weight of the class cost (Deformable DETR 2, DETR 1)
 * @param bboxWeight  weight of the L1 distance between cxcywh boxes (5)
 * @param giouWeight  weight of the negated generalized IoU (2)
 * @param focalAlpha  focal cost alpha (0.25), used by {@link ClassCost#FOCAL}
 * @param focalGamma  focal cost gamma (2), used by {@link ClassCost#FOCAL}
 * @param focalEps    epsilon inside the logarithms of the focal cost (1e-8, as Deformable DETR)
 */
public record MatcherConfig(ClassCost classCost, double classWeight, double bboxWeight, double giouWeight,
                            double focalAlpha, double focalGamma, double focalEps) {

    /** The classification part of the matching cost for prediction {@code q} and target {@code j}. */
    public enum ClassCost {
        /**
         * Deformable DETR / Conditional DETR / AdaMixer (sigmoid classes): with {@code p = sigmoid(logit[q, c])},
         * {@code alpha (1-p)^gamma (-log(p+eps)) - (1-alpha) p^gamma (-log(1-p+eps))} at the target class
         * {@code c}; for soft targets {@code t[j,:]} the same per-class term summed with weights {@code t[j,c]}.
         */
        FOCAL,
        /**
         * DETR (softmax over C columns, the last one "no object"): {@code -softmax(logits[q])[c]}; for soft targets
         * {@code -sum_c t[j,c] softmax(logits[q])[c]}.
         */
        SOFTMAX,
        /**
         * DETRDistill's distillation cost (sigmoid classes, soft targets):
         * {@code sum_c [t[j,c] BCE(logit[q,c], 1) + (1 - t[j,c]) BCE(logit[q,c], 0)]}; labels act as one-hot targets.
         */
        SOFT_BCE
    }

    private static final List<String> FIELDS = List.of("classCost", "classWeight", "bboxWeight", "giouWeight",
            "focalAlpha", "focalGamma", "focalEps");
    private static final ObjectMapper JSON = new ObjectMapper();

    public MatcherConfig {
        if (classCost == null) throw new IllegalArgumentException("classCost is null; valid: " + Arrays.toString(ClassCost.values()));
        requireNonNegative("classWeight", classWeight);
        requireNonNegative("bboxWeight", bboxWeight);
        requireNonNegative("giouWeight", giouWeight);
        if (!(focalAlpha >= 0 && focalAlpha <= 1)) throw new IllegalArgumentException("focalAlpha must be in [0,1], got " + focalAlpha);
        requireNonNegative("focalGamma", focalGamma);
        requireNonNegative("focalEps", focalEps);
    }

    /** Deformable DETR's matcher: focal class cost 2, L1 5, GIoU 2, alpha 0.25, gamma 2, eps 1e-8 (the builder's defaults). */
    public static MatcherConfig deformableDetr() { return builder().build(); }

    /** The original DETR matcher: softmax class cost 1, L1 5, GIoU 2. */
    public static MatcherConfig detr() { return builder().classCost(ClassCost.SOFTMAX).classWeight(1).build(); }

    /** DETRDistill's teacher-student matcher: soft BCE class cost 1, L1 5, GIoU 2. */
    public static MatcherConfig detrDistill() { return builder().classCost(ClassCost.SOFT_BCE).classWeight(1).build(); }

    /** A builder with Deformable DETR's defaults. */
    public static Builder builder() { return new Builder(); }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder().classCost(classCost).classWeight(classWeight).bboxWeight(bboxWeight).giouWeight(giouWeight)
                .focalAlpha(focalAlpha).focalGamma(focalGamma).focalEps(focalEps);
    }

    /** This configuration as a JSON object with the record's field names. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("classCost", classCost.name());
        o.put("classWeight", classWeight);
        o.put("bboxWeight", bboxWeight);
        o.put("giouWeight", giouWeight);
        o.put("focalAlpha", focalAlpha);
        o.put("focalGamma", focalGamma);
        o.put("focalEps", focalEps);
        return o.toString();
    }

    /**
     * Parses a JSON object; missing fields keep the builder defaults.
     *
     * @throws IllegalArgumentException on malformed JSON, an unknown field or class cost (listing the valid ones)
     *                                  or a field that is not a number
     */
    public static MatcherConfig fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("matcher config: malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("matcher config: expected a JSON object");
        Builder b = builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.equals("classCost")) {
                b.classCost(parseClassCost(v.asText()));
                continue;
            }
            if (!FIELDS.contains(k)) throw new IllegalArgumentException("matcher config: unknown field '" + k + "'; valid: " + FIELDS);
            if (!v.isNumber()) throw new IllegalArgumentException("matcher config: field '" + k + "' must be a number, got " + v);
            double d = v.asDouble();
            switch (k) {
                case "classWeight" -> b.classWeight(d);
                case "bboxWeight" -> b.bboxWeight(d);
                case "giouWeight" -> b.giouWeight(d);
                case "focalAlpha" -> b.focalAlpha(d);
                case "focalGamma" -> b.focalGamma(d);
                default -> b.focalEps(d);
            }
        }
        return b.build();
    }

    private static ClassCost parseClassCost(String name) {
        for (ClassCost c : ClassCost.values()) if (c.name().equalsIgnoreCase(name)) return c;
        throw new IllegalArgumentException("matcher config: unknown classCost '" + name + "'; valid: "
                + Arrays.toString(ClassCost.values()));
    }

    private static void requireNonNegative(String name, double x) {
        if (!(x >= 0 && x < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + x);
        }
    }

    /** Builder; defaults are Deformable DETR's matcher (focal 2, L1 5, GIoU 2, alpha 0.25, gamma 2, eps 1e-8). */
    public static final class Builder {
        private ClassCost classCost = ClassCost.FOCAL;
        private double classWeight = 2, bboxWeight = 5, giouWeight = 2;
        private double focalAlpha = 0.25, focalGamma = 2, focalEps = 1e-8;

        private Builder() {}

        public Builder classCost(ClassCost v) { classCost = v; return this; }
        public Builder classWeight(double v) { classWeight = v; return this; }
        public Builder bboxWeight(double v) { bboxWeight = v; return this; }
        public Builder giouWeight(double v) { giouWeight = v; return this; }
        public Builder focalAlpha(double v) { focalAlpha = v; return this; }
        public Builder focalGamma(double v) { focalGamma = v; return this; }
        public Builder focalEps(double v) { focalEps = v; return this; }

        /** @throws IllegalArgumentException if a value is out of range (named) */
        public MatcherConfig build() {
            return new MatcherConfig(classCost, classWeight, bboxWeight, giouWeight, focalAlpha, focalGamma, focalEps);
        }
    }
}
