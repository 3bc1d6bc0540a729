package org.detrdistill.datasets.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * COCO bbox evaluation parameters, pycocotools' {@code Params} for {@code iouType='bbox'}.
 *
 * @param iouThresholds    T IoU thresholds; default {@code linspace(.5, .95, 10)} (exact NumPy values)
 * @param recallThresholds R recall thresholds at which precision is sampled; default {@code linspace(0, 1, 101)}
 * @param maxDets          M strictly increasing caps on detections per image and category; default 1, 10, 100. Only
 *                         the top {@code maxDets[M-1]} detections (by score) of an image and category are evaluated
 * @param areaRanges       A area ranges with distinct labels; default all, small, medium, large
 * @param imageIds         images to evaluate; empty = every image of the ground truth
 * @param categoryIds      categories to evaluate (the K axis, sorted); empty = every category of the ground truth
 */
public record CocoEvalParams(List<Double> iouThresholds, List<Double> recallThresholds, List<Integer> maxDets,
                             List<AreaRange> areaRanges, List<Long> imageIds, List<Integer> categoryIds) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> JSON_FIELDS =
            Set.of("iouType", "useCats", "iouThrs", "recThrs", "maxDets", "areaRng", "areaRngLbl", "imgIds", "catIds");

    public CocoEvalParams {
        iouThresholds = List.copyOf(iouThresholds);
        recallThresholds = List.copyOf(recallThresholds);
        maxDets = List.copyOf(maxDets);
        areaRanges = List.copyOf(areaRanges);
        imageIds = List.copyOf(imageIds);
        categoryIds = List.copyOf(categoryIds);
        if (iouThresholds.isEmpty()) throw new IllegalArgumentException("iouThresholds must not be empty");
        for (double t : iouThresholds) {
            if (!(t >= 0 && t <= 1)) throw new IllegalArgumentException("iouThresholds must be in [0, 1], got " + t);
        }
        if (recallThresholds.isEmpty()) throw new IllegalArgumentException("recallThresholds must not be empty");
        for (double r : recallThresholds) {
            if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("recallThresholds must be in [0, 1], got " + r);
        }
        if (maxDets.isEmpty()) throw new IllegalArgumentException("maxDets must not be empty");
        for (int i = 0; i < maxDets.size(); i++) {
            if (maxDets.get(i) < 1 || (i > 0 && maxDets.get(i) <= maxDets.get(i - 1))) {
                throw new IllegalArgumentException("maxDets must be positive and strictly increasing, got " + maxDets);
            }
        }
        if (areaRanges.isEmpty()) throw new IllegalArgumentException("areaRanges must not be empty");
        Set<String> labels = new HashSet<>();
        for (AreaRange a : areaRanges) {
            if (!labels.add(a.label())) throw new IllegalArgumentException("area range labels must be distinct, '" + a.label() + "' repeats");
        }
    }

    /** pycocotools' defaults for bbox evaluation, every image and category. */
    public static CocoEvalParams defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    /** A builder initialised with these values. */
    public Builder toBuilder() {
        return new Builder().iouThresholds(iouThresholds).recallThresholds(recallThresholds).maxDets(maxDets)
                .areaRanges(areaRanges).imageIds(imageIds).categoryIds(categoryIds);
    }

    /**
     * JSON with pycocotools' names: {@code iouType ("bbox"), iouThrs, recThrs, maxDets, areaRng [[min,max]...],
     * areaRngLbl, imgIds, catIds, useCats (1)}.
     */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("iouType", "bbox");
        ArrayNode img = o.putArray("imgIds");
        imageIds.forEach(img::add);
        ArrayNode cat = o.putArray("catIds");
        categoryIds.forEach(cat::add);
        ArrayNode iou = o.putArray("iouThrs");
        iouThresholds.forEach(iou::add);
        ArrayNode rec = o.putArray("recThrs");
        recallThresholds.forEach(rec::add);
        ArrayNode md = o.putArray("maxDets");
        maxDets.forEach(md::add);
        ArrayNode rng = o.putArray("areaRng");
        ArrayNode lbl = o.putArray("areaRngLbl");
        for (AreaRange a : areaRanges) {
            rng.addArray().add(a.min()).add(a.max());
            lbl.add(a.label());
        }
        o.put("useCats", 1);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses {@link #toJson()}'s form (also pycocotools' params dumped as JSON). Absent fields take the defaults.
     *
     * @throws IllegalArgumentException unknown fields (the valid ones are listed), {@code iouType} other than bbox,
     *                                  {@code useCats} other than 1, or invalid values
     */
    public static CocoEvalParams fromJson(String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("evaluation params: malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (!o.isObject()) throw new IllegalArgumentException("evaluation params: expected a JSON object");
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!JSON_FIELDS.contains(f)) {
                throw new IllegalArgumentException("evaluation params: unknown field '" + f + "', valid: " + JSON_FIELDS);
            }
        }
        if (o.has("iouType") && !"bbox".equals(o.get("iouType").asText())) {
            throw new IllegalArgumentException("evaluation params: only iouType 'bbox' is supported, got " + o.get("iouType"));
        }
        if (o.has("useCats") && o.get("useCats").asInt() != 1) {
            throw new IllegalArgumentException("evaluation params: only useCats 1 (per-category evaluation) is supported");
        }
        Builder b = builder();
        if (o.has("iouThrs")) b.iouThresholds(doubles(o.get("iouThrs")));
        if (o.has("recThrs")) b.recallThresholds(doubles(o.get("recThrs")));
        if (o.has("maxDets")) {
            List<Integer> m = new ArrayList<>();
            o.get("maxDets").forEach(n -> m.add(n.asInt()));
            b.maxDets(m);
        }
        if (o.has("areaRng") || o.has("areaRngLbl")) {
            JsonNode rng = o.path("areaRng"), lbl = o.path("areaRngLbl");
            if (rng.size() != lbl.size()) {
                throw new IllegalArgumentException("evaluation params: areaRng and areaRngLbl must have the same length");
            }
            List<AreaRange> a = new ArrayList<>();
            for (int i = 0; i < rng.size(); i++) {
                a.add(new AreaRange(lbl.get(i).asText(), rng.get(i).get(0).asDouble(), rng.get(i).get(1).asDouble()));
            }
            b.areaRanges(a);
        }
        if (o.has("imgIds")) {
            List<Long> ids = new ArrayList<>();
            o.get("imgIds").forEach(n -> ids.add(n.asLong()));
            b.imageIds(ids);
        }
        if (o.has("catIds")) {
            List<Integer> ids = new ArrayList<>();
            o.get("catIds").forEach(n -> ids.add(n.asInt()));
            b.categoryIds(ids);
        }
        return b.build();
    }

    private static List<Double> doubles(JsonNode arr) {
        List<Double> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asDouble()));
        return out;
    }

    double[] iouArray() { return iouThresholds.stream().mapToDouble(Double::doubleValue).toArray(); }

    double[] recallArray() { return recallThresholds.stream().mapToDouble(Double::doubleValue).toArray(); }

    int[] maxDetsArray() { return maxDets.stream().mapToInt(Integer::intValue).toArray(); }

    /** Builder; every field starts at pycocotools' default. */
    public static final class Builder {
        private List<Double> iouThresholds = boxed(NumpyCompat.linspace(.5, 0.95, 10));
        private List<Double> recallThresholds = boxed(NumpyCompat.linspace(0.0, 1.0, 101));
        private List<Integer> maxDets = List.of(1, 10, 100);
        private List<AreaRange> areaRanges = List.of(AreaRange.ALL, AreaRange.SMALL, AreaRange.MEDIUM, AreaRange.LARGE);
        private List<Long> imageIds = List.of();
        private List<Integer> categoryIds = List.of();

        private Builder() {}

        private static List<Double> boxed(double[] v) {
            List<Double> out = new ArrayList<>(v.length);
            for (double x : v) out.add(x);
            return out;
        }

        public Builder iouThresholds(List<Double> v) { iouThresholds = Objects.requireNonNull(v); return this; }

        public Builder iouThresholds(double... v) { return iouThresholds(boxed(v)); }

        public Builder recallThresholds(List<Double> v) { recallThresholds = Objects.requireNonNull(v); return this; }

        public Builder recallThresholds(double... v) { return recallThresholds(boxed(v)); }

        public Builder maxDets(List<Integer> v) { maxDets = Objects.requireNonNull(v); return this; }

        public Builder maxDets(Integer... v) { return maxDets(List.of(v)); }

        public Builder areaRanges(List<AreaRange> v) { areaRanges = Objects.requireNonNull(v); return this; }

        public Builder areaRanges(AreaRange... v) { return areaRanges(List.of(v)); }

        public Builder imageIds(List<Long> v) { imageIds = Objects.requireNonNull(v); return this; }

        public Builder categoryIds(List<Integer> v) { categoryIds = Objects.requireNonNull(v); return this; }

        public CocoEvalParams build() {
            return new CocoEvalParams(iouThresholds, recallThresholds, maxDets, areaRanges, imageIds, categoryIds);
        }
    }
}
