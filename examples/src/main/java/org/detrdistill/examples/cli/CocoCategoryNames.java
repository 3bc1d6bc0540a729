package org.detrdistill.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the category names of a COCO instances file: {@code categories[].id -> categories[].name}, streaming (only the
 * {@code categories} array is looked at; images and annotations are skipped token by token, so a large file costs
 * one pass and no memory). Used to label per-category AP; the evaluation itself reads ids only.
 */
final class CocoCategoryNames {
    private static final JsonFactory JSON = new JsonFactory();

    private CocoCategoryNames() {}

    /**
     * The names by category id, in file order. A category without a string {@code name} is left out.
     *
     * @throws IOException the file cannot be read or is not a JSON object
     */
    static Map<Integer, String> read(Path file) throws IOException {
        Map<Integer, String> names = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(file + ": a COCO instances file must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("categories".equals(field) && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) readCategory(p, names);
                } else {
                    p.skipChildren();
                }
            }
        }
        return names;
    }

    private static void readCategory(JsonParser p, Map<Integer, String> names) throws IOException {
        Integer id = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("id".equals(field) && value == JsonToken.VALUE_NUMBER_INT) id = p.getIntValue();
            else if ("name".equals(field) && value == JsonToken.VALUE_STRING) name = p.getText();
            else p.skipChildren();
        }
        if (id != null && name != null) names.put(id, name);
    }
}
