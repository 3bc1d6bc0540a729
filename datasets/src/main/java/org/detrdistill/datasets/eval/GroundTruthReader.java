package org.detrdistill.datasets.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * Streams a COCO instances JSON file into a {@link CocoGroundTruth.Builder}, keeping only the fields COCOeval uses:
 * {@code images[].id}, {@code categories[].id} and {@code annotations[].{id, image_id, category_id, bbox, area,
 * iscrowd}}. Everything else ({@code info}, {@code licenses}, {@code segmentation}, file names ...) is skipped token by
 * token, so memory is bounded by those columns, not by the file. Top-level members may come in any order.
 *
 * <p>Required: a top-level object with {@code images} and {@code categories} arrays; every image and category has an
 * integer {@code id}; every annotation has {@code id}, {@code image_id}, {@code category_id}, {@code bbox} (4 finite
 * numbers) and {@code area}. {@code annotations} may be absent (no ground truth) and {@code iscrowd} defaults to 0.
 */
final class GroundTruthReader {
    private GroundTruthReader() {}

    static CocoGroundTruth read(JsonInput in) throws IOException {
        CocoGroundTruth.Builder b = CocoGroundTruth.builder(in.source());
        boolean images = false, categories = false;
        try {
            in.expectNext(JsonToken.START_OBJECT, "the top level of a COCO instances file");
            while (in.next() == JsonToken.FIELD_NAME) {
                String name = in.fieldName();
                in.next();
                switch (name) {
                    case "images" -> { readImages(in, b); images = true; }
                    case "categories" -> { readCategories(in, b); categories = true; }
                    case "annotations" -> readAnnotations(in, b);
                    default -> in.skipValue();
                }
            }
            if (in.next() != null) throw in.error("unexpected content after the top-level object");
        } catch (JsonProcessingException e) {
            throw in.malformed(e);
        }
        if (!images) throw in.errorNoLocation("missing the top-level 'images' array");
        if (!categories) throw in.errorNoLocation("missing the top-level 'categories' array");
        String dup = b.duplicateAnnotationIds();
        if (dup != null) throw in.errorNoLocation(dup);
        return b.buildUnchecked();
    }

    private static void readImages(JsonInput in, CocoGroundTruth.Builder b) throws IOException {
        in.expectCurrent(JsonToken.START_ARRAY, "'images'");
        int i = 0;
        for (JsonToken t = in.next(); t != JsonToken.END_ARRAY; t = in.next(), i++) {
            String entry = "images[" + i + "]";
            b.addImage(readIdOnly(in, entry));
        }
    }

    private static void readCategories(JsonInput in, CocoGroundTruth.Builder b) throws IOException {
        in.expectCurrent(JsonToken.START_ARRAY, "'categories'");
        int i = 0;
        for (JsonToken t = in.next(); t != JsonToken.END_ARRAY; t = in.next(), i++) {
            String entry = "categories[" + i + "]";
            long id = readIdOnly(in, entry);
            if (id != (int) id) throw in.error(entry + ": category id " + id + " does not fit a 32-bit integer");
            b.addCategory((int) id);
        }
    }

    /** Reads an object at the current token and returns its integer {@code id}, skipping every other member. */
    private static long readIdOnly(JsonInput in, String entry) throws IOException {
        in.expectCurrent(JsonToken.START_OBJECT, entry);
        long id = 0;
        boolean has = false;
        while (in.next() == JsonToken.FIELD_NAME) {
            boolean isId = "id".equals(in.fieldName());
            in.next();
            if (isId) {
                id = in.readId(entry, "id");
                has = true;
            } else {
                in.skipValue();
            }
        }
        if (!has) throw in.error(entry + ": missing field 'id'");
        return id;
    }

    private static void readAnnotations(JsonInput in, CocoGroundTruth.Builder b) throws IOException {
        in.expectCurrent(JsonToken.START_ARRAY, "'annotations'");
        double[] box = new double[4];
        int i = 0;
        for (JsonToken t = in.next(); t != JsonToken.END_ARRAY; t = in.next(), i++) {
            String entry = "annotations[" + i + "]";
            in.expectCurrent(JsonToken.START_OBJECT, entry);
            long id = 0, imageId = 0;
            int categoryId = 0;
            double area = 0;
            boolean crowd = false;
            int seen = 0; // bits: 1 id, 2 image_id, 4 category_id, 8 bbox, 16 area
            while (in.next() == JsonToken.FIELD_NAME) {
                String name = in.fieldName();
                in.next();
                switch (name) {
                    case "id" -> { id = in.readId(entry, name); seen |= 1; }
                    case "image_id" -> { imageId = in.readId(entry, name); seen |= 2; }
                    case "category_id" -> { categoryId = in.readIntId(entry, name); seen |= 4; }
                    case "bbox" -> { in.readBox(entry, name, box); seen |= 8; }
                    case "area" -> { area = in.readFinite(entry, name); seen |= 16; }
                    case "iscrowd" -> crowd = in.readFlag(entry, name);
                    default -> in.skipValue();
                }
            }
            if (seen != 31) {
                String label = (seen & 1) != 0 ? entry + " (id " + id + ")" : entry;
                throw in.error(label + ": missing field '" + firstMissing(seen) + "'");
            }
            b.addAnnotation(id, imageId, categoryId, box[0], box[1], box[2], box[3], area, crowd);
        }
    }

    private static String firstMissing(int seen) {
        String[] names = {"id", "image_id", "category_id", "bbox", "area"};
        for (int k = 0; k < names.length; k++) if ((seen & (1 << k)) == 0) return names[k];
        throw new AssertionError();
    }
}
