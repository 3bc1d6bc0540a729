package org.detrdistill.datasets.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The 12 numbers of pycocotools' {@code COCOeval.stats} for bbox evaluation, in its order. Each is a mean over the
 * precision (AP) or recall (AR) entries of its setting that are not -1; it is -1 where the setting has no ground truth
 * at all (e.g. no small objects).
 *
 * @param ap       AP @ IoU 0.50:0.95, area all, maxDets 100
 * @param ap50     AP @ IoU 0.50, area all, maxDets[2]
 * @param ap75     AP @ IoU 0.75, area all, maxDets[2]
 * @param apSmall  AP @ 0.50:0.95, area small (<= 32^2), maxDets[2]
 * @param apMedium AP @ 0.50:0.95, area medium (32^2 .. 96^2), maxDets[2]
 * @param apLarge  AP @ 0.50:0.95, area large (>= 96^2), maxDets[2]
 * @param ar1      AR @ 0.50:0.95, area all, maxDets[0] (1)
 * @param ar10     AR @ 0.50:0.95, area all, maxDets[1] (10)
 * @param ar100    AR @ 0.50:0.95, area all, maxDets[2] (100)
 * @param arSmall  AR, area small, maxDets[2]
 * @param arMedium AR, area medium, maxDets[2]
 * @param arLarge  AR, area large, maxDets[2]
 */
public record CocoStats(double ap, double ap50, double ap75, double apSmall, double apMedium, double apLarge,
                        double ar1, double ar10, double ar100, double arSmall, double arMedium, double arLarge) {
    /** The names used in JSON, in stats order: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
    public static final List<String> NAMES =
            List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** From pycocotools' order ({@code [12]}). */
    public static CocoStats of(double[] s) {
        if (s.length != 12) throw new IllegalArgumentException("COCO stats need 12 values, got " + s.length);
        return new CocoStats(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11]);
    }

    /** The 12 values in pycocotools' order. */
    public double[] toArray() {
        return new double[] {ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall, arMedium, arLarge};
    }

    /** The value named {@code name} (one of {@link #NAMES}). */
    public double get(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("unknown COCO stat '" + name + "', valid: " + NAMES);
        return toArray()[i];
    }

    /** {@code {"AP": .., "AP50": .., ...}} in stats order, numbers with round-trip precision. */
    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJsonNode());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    ObjectNode toJsonNode() {
        ObjectNode o = JSON.createObjectNode();
        double[] v = toArray();
        for (int i = 0; i < 12; i++) o.put(NAMES.get(i), v[i]);
        return o;
    }

    /**
     * Parses {@link #toJson()}'s form.
     *
     * @throws IllegalArgumentException malformed JSON, a missing name or an unknown one (the valid ones are listed)
     */
    public static CocoStats fromJson(String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("COCO stats: malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) throw new IllegalArgumentException("COCO stats: expected a JSON object");
        o.fieldNames().forEachRemaining(f -> {
            if (!NAMES.contains(f)) throw new IllegalArgumentException("COCO stats: unknown field '" + f + "', valid: " + NAMES);
        });
        double[] v = new double[12];
        for (int i = 0; i < 12; i++) {
            JsonNode n = o.get(NAMES.get(i));
            if (n == null || !n.isNumber()) throw new IllegalArgumentException("COCO stats: missing number '" + NAMES.get(i) + "'");
            v[i] = n.doubleValue();
        }
        return of(v);
    }
}
