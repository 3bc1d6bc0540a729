package org.detrdistill.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code --set KEY=VALUE} overrides applied to a config's JSON before it is parsed (and so validated) again.
 *
 * <ul>
 *   <li>{@code KEY} is a field name, or a dotted path into nested objects: {@code hiddenDim},
 *       {@code backbone.stemWidth}, {@code deformable.numLevels}. Every name must already exist in the config (an
 *       unknown one fails, listing the fields valid at that level), so a typo never passes silently.</li>
 *   <li>{@code VALUE} is read as JSON when it is JSON ({@code 64}, {@code true}, {@code [1,1,1,1]},
 *       {@code {"numLevels":2,...}}) and as a string otherwise ({@code adamixer}, {@code BASIC}).</li>
 * </ul>
 * Overrides apply in order; a later one wins.
 */
final class JsonOverrides {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonOverrides() {}

    /** One parsed {@code KEY=VALUE}. */
    record Override(List<String> path, JsonNode value, String text) {}

    /**
     * Parses {@code KEY=VALUE}.
     *
     * @throws IllegalArgumentException no {@code =}, or an empty key or path segment (quotes the text)
     */
    static Override parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set '" + text + "': expected KEY=VALUE, e.g. hiddenDim=64");
        }
        String key = text.substring(0, eq).trim();
        List<String> path = List.of(key.split("\\.", -1));
        if (path.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("--set '" + text + "': empty field name in '" + key + "'");
        }
        return new Override(path, valueOf(text.substring(eq + 1).trim()), text);
    }

    private static JsonNode valueOf(String v) {
        try {
            JsonNode n = JSON.readTree(v);
            return n == null || n.isMissingNode() ? TextNode.valueOf(v) : n;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(v);
        }
    }

    /**
     * Applies the overrides to {@code json} (a JSON object) and returns the new JSON text.
     *
     * @throws IllegalArgumentException a path names a field that does not exist (lists the valid ones) or goes
     *                                  through a value that is not an object
     */
    static String apply(String json, List<String> overrides) {
        ObjectNode root;
        try {
            root = (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("not a JSON object: " + json, e);
        }
        for (String text : overrides) {
            Override o = parse(text);
            ObjectNode node = root;
            for (int i = 0; i < o.path().size(); i++) {
                String name = o.path().get(i);
                if (!node.has(name)) {
                    throw new IllegalArgumentException("--set '" + o.text() + "': unknown field '"
                            + String.join(".", o.path().subList(0, i + 1)) + "'; valid fields"
                            + (i == 0 ? "" : " of '" + String.join(".", o.path().subList(0, i)) + "'") + ": "
                            + String.join(", ", fieldNames(node)));
                }
                if (i == o.path().size() - 1) {
                    node.set(name, o.value());
                } else if (node.get(name) instanceof ObjectNode child) {
                    node = child;
                } else {
                    throw new IllegalArgumentException("--set '" + o.text() + "': '"
                            + String.join(".", o.path().subList(0, i + 1)) + "' is not an object");
                }
            }
        }
        return root.toPrettyString();
    }

    private static List<String> fieldNames(ObjectNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) names.add(it.next());
        return names;
    }
}
