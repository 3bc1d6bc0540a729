package org.detrdistill.datasets.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a COCO instances JSON ({@code instances_train2017.json} and the like) with Jackson's streaming parser, in
 * memory bounded by what is kept: the file is never materialised as a tree, segmentation polygons and every field not
 * listed below are skipped token by token, and annotations are stored in primitive columns. COCO train2017
 * (448 MB, 118k images, 860k annotations) keeps about 60 MB.
 *
 * <p>Read fields: {@code images[].id, file_name, width, height}; {@code categories[].id, name};
 * {@code annotations[].id, image_id, category_id, bbox} ({@code [x,y,w,h]} pixels), {@code area} (default
 * {@code w*h}), {@code iscrowd} (default 0). Top-level sections may come in any order; {@code annotations} may be
 * absent (an image-info file), {@code images} and {@code categories} may not.
 *
 * <p>Bad input. Errors ({@link CocoFormatException}, naming the file, the entry such as {@code annotations[17] (id 42)}
 * and line:column): malformed JSON; a missing or mistyped required field; a {@code bbox} that is not 4 numbers;
 * duplicate image or category ids; an image root under which no image file exists. Counted in the
 * {@link LoadReport} and skipped (errors instead with {@link CocoReadOptions#strict()}): annotations with an unknown
 * image id or category id, with zero/negative/non-finite box size, or entirely outside their image; images whose file
 * is missing. Clipped to the image and counted: boxes partly outside it. Corrupt image files are only detected when
 * decoded ({@code org.detrdistill.datasets.image.DecodedImage}), which fails naming the file.
 */
public final class CocoInstancesReader {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private CocoInstancesReader() { }

    /**
     * Reads an instances file with {@link CocoReadOptions#defaults()}.
     *
     * @param file the JSON file
     * @return the dataset
     * @throws CocoFormatException on bad content (see the class comment)
     * @throws IOException         if the file cannot be read
     */
    public static CocoDataset read(Path file) throws IOException {
        return read(file, CocoReadOptions.defaults());
    }

    /**
     * Reads an instances file.
     *
     * @param file    the JSON file
     * @param options what to keep and how strictly to validate
     * @return the dataset, with its {@link LoadReport}
     * @throws CocoFormatException on bad content (see the class comment)
     * @throws IOException         if the file cannot be read
     */
    public static CocoDataset read(Path file, CocoReadOptions options) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "COCO instances file not found");
        }
        Parse parse = new Parse(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             JsonParser p = JSON.createParser(in)) {
            parse.document(p);
        } catch (StreamReadException e) {
            JsonLocation loc = e.getLocation();
            throw new CocoFormatException(file, parse.entry(), loc == null ? -1 : loc.getLineNr(),
                    loc == null ? -1 : loc.getColumnNr(), "malformed JSON: " + e.getOriginalMessage(), e);
        }
        return new CocoAssembler(file, options, parse.images, parse.imageLines, parse.categories, parse.annotations)
                .assemble();
    }

    /** Parser state of one read. */
    private static final class Parse {
        final Path file;
        final List<CocoImageInfo> images = new ArrayList<>();
        int[] imageLines = new int[256];
        final List<CocoCategory> categories = new ArrayList<>();
        final RawAnnotations annotations = new RawAnnotations();
        String section;       // current top-level array, for error messages
        int index = -1;       // current element of that array
        long currentId = Long.MIN_VALUE;

        Parse(Path file) { this.file = file; }

        String entry() {
            if (section == null) {
                return null;
            }
            return index < 0 ? section : section + "[" + index + "]" + (currentId == Long.MIN_VALUE ? "" : " (id " + currentId + ")");
        }

        void document(JsonParser p) throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error(p, "expected a JSON object at the top level, found " + p.currentToken());
            }
            boolean sawImages = false, sawCategories = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "images" -> { sawImages = true; array(p, name, value, this::image); }
                    case "categories" -> { sawCategories = true; array(p, name, value, this::category); }
                    case "annotations" -> array(p, name, value, this::annotation);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw error(p, "unexpected content after the top-level object");
            }
            if (!sawImages || !sawCategories) {
                throw new CocoFormatException(file, null, -1, -1, "not a COCO instances file: missing top-level '"
                        + (sawImages ? "categories" : "images") + "' array", null);
            }
        }

        interface Element { void read(JsonParser p) throws IOException; }

        void array(JsonParser p, String name, JsonToken value, Element element) throws IOException {
            section = name;
            index = -1;
            if (value != JsonToken.START_ARRAY) {
                throw error(p, "expected an array, found " + value);
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                index++;
                currentId = Long.MIN_VALUE;
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw error(p, "expected an object, found " + p.currentToken());
                }
                element.read(p);
            }
            section = null;
        }

        void image(JsonParser p) throws IOException {
            int line = p.currentTokenLocation().getLineNr();
            Long id = null;
            String fileName = null;
            Integer width = null, height = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "id" -> { id = longValue(p, f); currentId = id; }
                    case "file_name" -> fileName = text(p, f);
                    case "width" -> width = (int) longValue(p, f);
                    case "height" -> height = (int) longValue(p, f);
                    default -> p.skipChildren();
                }
            }
            require(p, id, "id", line);
            require(p, fileName, "file_name", line);
            require(p, width, "width", line);
            require(p, height, "height", line);
            if (width <= 0 || height <= 0) {
                throw new CocoFormatException(file, entry(), line, -1, "width and height must be positive, got "
                        + width + "x" + height, null);
            }
            if (images.size() == imageLines.length) {
                imageLines = java.util.Arrays.copyOf(imageLines, imageLines.length * 2);
            }
            imageLines[images.size()] = line;
            images.add(new CocoImageInfo(id, fileName, width, height));
        }

        void category(JsonParser p) throws IOException {
            int line = p.currentTokenLocation().getLineNr();
            Long id = null;
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "id" -> { id = longValue(p, f); currentId = id; }
                    case "name" -> name = text(p, f);
                    default -> p.skipChildren();
                }
            }
            require(p, id, "id", line);
            require(p, name, "name", line);
            categories.add(new CocoCategory(id, name));
        }

        void annotation(JsonParser p) throws IOException {
            int line = p.currentTokenLocation().getLineNr();
            Long id = null, imageId = null, categoryId = null;
            float[] bbox = null;
            float area = Float.NaN;
            boolean crowd = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "id" -> { id = longValue(p, f); currentId = id; }
                    case "image_id" -> imageId = longValue(p, f);
                    case "category_id" -> categoryId = longValue(p, f);
                    case "bbox" -> bbox = bbox(p);
                    case "area" -> area = (float) number(p, f);
                    case "iscrowd" -> crowd = flag(p, f);
                    default -> p.skipChildren();
                }
            }
            require(p, id, "id", line);
            require(p, imageId, "image_id", line);
            require(p, categoryId, "category_id", line);
            require(p, bbox, "bbox", line);
            annotations.add(id, imageId, categoryId, bbox[0], bbox[1], bbox[2], bbox[3], area, crowd, line);
        }

        float[] bbox(JsonParser p) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw error(p, "field 'bbox' must be an array [x,y,w,h], found " + p.currentToken());
            }
            float[] b = new float[4];
            int k = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (k == 4) {
                    throw error(p, "field 'bbox' must have 4 numbers [x,y,w,h], found more");
                }
                b[k++] = (float) number(p, "bbox");
            }
            if (k != 4) {
                throw error(p, "field 'bbox' must have 4 numbers [x,y,w,h], found " + k);
            }
            return b;
        }

        long longValue(JsonParser p, String field) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT) {
                return p.getLongValue();
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                double d = p.getDoubleValue();
                if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                    return (long) d;
                }
            }
            throw error(p, "field '" + field + "' must be an integer, found " + describe(p));
        }

        double number(JsonParser p, String field) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                return p.getDoubleValue();
            }
            throw error(p, "field '" + field + "' must be a number, found " + describe(p));
        }

        boolean flag(JsonParser p, String field) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                return t == JsonToken.VALUE_TRUE;
            }
            long v = longValue(p, field);
            if (v != 0 && v != 1) {
                throw error(p, "field '" + field + "' must be 0 or 1, found " + v);
            }
            return v == 1;
        }

        String text(JsonParser p, String field) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw error(p, "field '" + field + "' must be a string, found " + describe(p));
            }
            return p.getText();
        }

        static String describe(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            return t == null ? "end of input" : t.isScalarValue() ? t + " " + p.getText() : String.valueOf(t);
        }

        void require(JsonParser p, Object value, String field, int line) throws CocoFormatException {
            if (value == null) {
                throw new CocoFormatException(file, entry(), line, -1, "required field '" + field + "' is missing", null);
            }
        }

        CocoFormatException error(JsonParser p, String detail) {
            JsonLocation loc = p.currentTokenLocation();
            return new CocoFormatException(file, entry(), loc.getLineNr(), loc.getColumnNr(), detail, null);
        }
    }
}
