package org.detrdistill.datasets.synth;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes one COCO "instances" file with Jackson's streaming generator: {@code info}, {@code licenses}, {@code images}
 * ({@code id, file_name, width, height, license}), {@code annotations} ({@code id} from 1, {@code image_id},
 * {@code category_id}, {@code bbox [x,y,w,h]} in pixels, {@code area}, {@code iscrowd} 0, {@code segmentation} as one
 * polygon) and {@code categories} ({@code id, name, supercategory}). The file is written beside its target and then
 * moved into place, so a reader never sees half a file. Nothing time-dependent is written: same input, same bytes.
 */
final class CocoAnnotationWriter {

    /**
     * One image and its objects.
     *
     * @param id       COCO image id
     * @param fileName file name relative to the split's image folder
     * @param objects  the annotated objects
     */
    record ImageEntry(long id, String fileName, List<SyntheticObject> objects) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CocoAnnotationWriter() {
    }

    /**
     * Writes {@code file}.
     *
     * @return the number of annotations written
     */
    static int write(Path file, SyntheticCocoConfig config, SyntheticSplit split, List<ImageEntry> images)
            throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        int annId = 0;
        JsonFactory factory = MAPPER.getFactory();
        try (JsonGenerator g = factory.createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();

            g.writeObjectFieldStart("info");
            g.writeStringField("description", "detr-distill synthetic shapes (" + split.dirName() + ")");
            g.writeStringField("url", "");
            g.writeStringField("version", "1.0");
            g.writeNumberField("year", 2025);
            g.writeStringField("contributor", "org.detrdistill.datasets.synth.SyntheticCocoGenerator");
            g.writeStringField("date_created", "");
            g.writeFieldName("synthetic_config");
            MAPPER.writeValue(g, config);
            g.writeEndObject();

            g.writeArrayFieldStart("licenses");
            g.writeStartObject();
            g.writeNumberField("id", 1);
            g.writeStringField("name", "CC0 1.0 (generated images; photographic backgrounds public domain / CC0)");
            g.writeStringField("url", "https://creativecommons.org/publicdomain/zero/1.0/");
            g.writeEndObject();
            g.writeEndArray();

            g.writeArrayFieldStart("images");
            for (ImageEntry im : images) {
                g.writeStartObject();
                g.writeNumberField("id", im.id());
                g.writeStringField("file_name", im.fileName());
                g.writeNumberField("width", config.imageWidth());
                g.writeNumberField("height", config.imageHeight());
                g.writeNumberField("license", 1);
                g.writeEndObject();
            }
            g.writeEndArray();

            g.writeArrayFieldStart("annotations");
            for (ImageEntry im : images) {
                for (SyntheticObject o : im.objects()) {
                    g.writeStartObject();
                    g.writeNumberField("id", ++annId);
                    g.writeNumberField("image_id", im.id());
                    g.writeNumberField("category_id", config.categoryId(o.classIndex()));
                    int[] b = o.bbox();
                    g.writeFieldName("bbox");
                    g.writeArray(b, 0, 4);
                    g.writeNumberField("area", o.visibleArea());
                    g.writeNumberField("iscrowd", 0);
                    g.writeArrayFieldStart("segmentation");
                    double[] poly = o.polygon();
                    g.writeArray(poly, 0, poly.length);
                    g.writeEndArray();
                    g.writeEndObject();
                }
            }
            g.writeEndArray();

            g.writeArrayFieldStart("categories");
            List<String> names = config.classes();
            for (int i = 0; i < names.size(); i++) {
                g.writeStartObject();
                g.writeNumberField("id", config.categoryId(i));
                g.writeStringField("name", names.get(i));
                g.writeStringField("supercategory", "shape");
                g.writeEndObject();
            }
            g.writeEndArray();

            g.writeEndObject();
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return annId;
    }
}
