package org.detrdistill.core.loss;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of the set criterion ({@link SetCriterion}).
 *
 * <p>The weight map names the terms to build and their weights. A key is a base term name
 * ({@value #LOSS_CE}, {@value #LOSS_BBOX}, {@value #LOSS_GIOU}: the weight for every stage) or a stage-specific name
 * such as {@code loss_ce_0} (overrides the base weight for that stage). A base term absent from the map (and without a
 * stage-specific key for a stage) is not built for that stage.
 *
 * @param classLoss  the classification term
 * @param numClasses number of real classes {@code C} (without the no-object column)
 * @param focalAlpha focal alpha (0.25); negative = no alpha weighting. {@link ClassLoss#SIGMOID_FOCAL} only
 * @param focalGamma focal gamma (2); 0 = plain binary cross-entropy. {@link ClassLoss#SIGMOID_FOCAL} only
 * @param eosCoef    weight of the no-object class (0.1). {@link ClassLoss#SOFTMAX_CE} only
 * @param weights    term name -> weight, insertion-ordered
 */
public record CriterionConfig(ClassLoss classLoss, int numClasses, double focalAlpha, double focalGamma,
                              double eosCoef, Map<String, Double> weights) {
    /** Classification term. */
    public static final String LOSS_CE = "loss_ce";
    /** L1 distance of matched cxcywh boxes. */
    public static final String LOSS_BBOX = "loss_bbox";
    /** 1 − GIoU of matched boxes. */
    public static final String LOSS_GIOU = "loss_giou";
    /** The base term names, in build order. */
    public static final List<String> TERMS = List.of(LOSS_CE, LOSS_BBOX, LOSS_GIOU);

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public CriterionConfig {
        Objects.requireNonNull(classLoss, "classLoss");
        Objects.requireNonNull(weights, "weights");
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        if (!(focalGamma >= 0)) {
            throw new IllegalArgumentException("focalGamma must be >= 0, got " + focalGamma);
        }
        if (!(focalAlpha <= 1)) {
            throw new IllegalArgumentException("focalAlpha must be <= 1 (negative = off), got " + focalAlpha);
        }
        if (!(eosCoef >= 0)) {
            throw new IllegalArgumentException("eosCoef must be >= 0, got " + eosCoef);
        }
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (baseOf(e.getKey()) == null) {
                throw new IllegalArgumentException("unknown loss term '" + e.getKey() + "' in weights; valid: "
                        + TERMS + " optionally followed by a stage suffix such as _0");
            }
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("weight of '" + e.getKey() + "' must be finite, got " + e.getValue());
            }
        }
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** Deformable DETR defaults: sigmoid focal (alpha 0.25, gamma 2), weights ce 2, bbox 5, giou 2. */
    public static CriterionConfig focalDefaults(int numClasses) {
        return builder().numClasses(numClasses).build();
    }

    /** Original DETR defaults: softmax cross-entropy with eos_coef 0.1, weights ce 1, bbox 5, giou 2. */
    public static CriterionConfig detrDefaults(int numClasses) {
        return builder().classLoss(ClassLoss.SOFTMAX_CE).numClasses(numClasses)
                .weight(LOSS_CE, 1).weight(LOSS_BBOX, 5).weight(LOSS_GIOU, 2).build();
    }

    /** A builder with the focal defaults (the weights start as ce 2, bbox 5, giou 2; {@code weight} overrides). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder().classLoss(classLoss).numClasses(numClasses).focalAlpha(focalAlpha)
                .focalGamma(focalGamma).eosCoef(eosCoef).clearWeights();
        weights.forEach(b::weight);
        return b;
    }

    /** Number of class columns of the logits and of the class target: {@code C}, or {@code C+1} for softmax. */
    public int classColumns() {
        return classLoss == ClassLoss.SOFTMAX_CE ? numClasses + 1 : numClasses;
    }

    /**
     * The weight of {@code base} at the stage with {@code suffix}: the stage-specific key, else the base key, else
     * null (term not built).
     */
    public Double weightOf(String base, String suffix) {
        Double w = weights.get(base + suffix);
        return w != null ? w : weights.get(base);
    }

    /** Serialises to JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses JSON written by {@link #toJson()}; unknown fields fail. */
    public static CriterionConfig fromJson(String json) {
        try {
            return JSON.readValue(json, CriterionConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid criterion config JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The base term of a weight key, or null if it names none. */
    static String baseOf(String key) {
        for (String t : TERMS) {
            if (key.equals(t) || (key.startsWith(t + "_") && key.length() > t.length() + 1)) {
                return t;
            }
        }
        return null;
    }

    /** Builder; see the record components for meanings and defaults. */
    public static final class Builder {
        private ClassLoss classLoss = ClassLoss.SIGMOID_FOCAL;
        private int numClasses = -1;
        private double focalAlpha = 0.25;
        private double focalGamma = 2.0;
        private double eosCoef = 0.1;
        private final Map<String, Double> weights = new LinkedHashMap<>();

        private Builder() {
            weights.clear();
            weights.put(LOSS_CE, 2.0);
            weights.put(LOSS_BBOX, 5.0);
            weights.put(LOSS_GIOU, 2.0);
        }

        public Builder classLoss(ClassLoss v) { this.classLoss = v; return this; }
        public Builder numClasses(int v) { this.numClasses = v; return this; }
        public Builder focalAlpha(double v) { this.focalAlpha = v; return this; }
        public Builder focalGamma(double v) { this.focalGamma = v; return this; }
        public Builder eosCoef(double v) { this.eosCoef = v; return this; }
        /** Sets the weight of a term (base name or stage-specific name). */
        public Builder weight(String term, double w) { this.weights.put(term, w); return this; }
        /** Removes a term from the map (base name: the term is no longer built unless a stage key names it). */
        public Builder without(String term) { this.weights.remove(term); return this; }
        /** Empties the weight map. */
        public Builder clearWeights() { this.weights.clear(); return this; }

        public CriterionConfig build() {
            return new CriterionConfig(classLoss, numClasses, focalAlpha, focalGamma, eosCoef, weights);
        }
    }
}
