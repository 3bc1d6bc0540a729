package org.detrdistill.core.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import onnx.Onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A teacher imported as a graph: one zip file holding the ONNX model and how its outputs map to the teacher contract,
 * written by {@code detr-distill import-onnx} and loaded by the distill module's {@code OnnxTeacher}.
 *
 * <pre>
 * teacher.zip
 *   onnx-teacher.json   {"format": "detr-distill-onnx-teacher", "version": 1, "model": "model.onnx",
 *                        "input": {"name": "images", "shape": [1, 3, 128, 128]},
 *                        "mapping": {OnnxOutputMapping JSON}, "source": "export/model.onnx"}
 *   model.onnx          the exported model, unchanged
 * </pre>
 * {@code input.shape} is the static shape the graph is imported at ({@code [1,3,H,W]}: the teacher then runs any batch
 * image by image on the {@code H × W} canvas).
 *
 * @param model      the ONNX model
 * @param mapping    its outputs → the contract (every name is an output of the model)
 * @param inputName  the image input
 * @param inputShape the import shape {@code [B,3,H,W]}
 * @param source     where the bundle was read from (for messages)
 */
public record OnnxTeacherBundle(OnnxModel model, OnnxOutputMapping mapping, String inputName, long[] inputShape,
                                String source) {
    /** The {@code format} value of the manifest. */
    public static final String FORMAT = "detr-distill-onnx-teacher";
    /** The manifest version written and read. */
    public static final int VERSION = 1;
    /** Zip entry names. */
    public static final String MANIFEST = "onnx-teacher.json", MODEL = "model.onnx";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public OnnxTeacherBundle {
        inputShape = inputShape.clone();
        if (inputShape.length != 4 || inputShape[1] != 3 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException(source + ": the teacher input must be a static image shape [B,3,H,W], got "
                    + Arrays.toString(inputShape));
        }
    }

    @Override public long[] inputShape() { return inputShape.clone(); }

    /** Canvas height H. */
    public int height() { return (int) inputShape[2]; }

    /** Canvas width W. */
    public int width() { return (int) inputShape[3]; }

    /**
     * Writes a bundle atomically (a temporary file beside {@code target}, then a rename): nothing is left behind on
     * failure and an existing {@code target} is replaced only by a complete file.
     *
     * @param onnxFile   the exported model (copied unchanged)
     * @param inputShape the static import shape {@code [B,3,H,W]}
     * @throws IllegalArgumentException when the mapping names outputs the model lacks, or the input is not one image input
     */
    public static void write(Path target, Path onnxFile, OnnxOutputMapping mapping, long[] inputShape) throws IOException {
        OnnxModel model = OnnxModel.read(onnxFile);
        OnnxTeacherGraph.checkMapping(model, mapping);
        if (model.inputs().size() != 1) {
            throw new IllegalArgumentException(onnxFile + ": a teacher needs exactly one input (images), the graph has " + model.inputs());
        }
        OnnxTeacherBundle checked = new OnnxTeacherBundle(model, mapping, model.inputs().get(0).name(), inputShape, onnxFile.toString());
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("model", MODEL);
        ObjectNode in = m.putObject("input");
        in.put("name", checked.inputName());
        ArrayNode shape = in.putArray("shape");
        for (long d : inputShape) shape.add(d);
        m.set("mapping", JSON.readTree(mapping.toJson()));
        m.put("source", onnxFile.toString());
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(JSON.writeValueAsBytes(m));
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry(MODEL));
                Files.copy(onnxFile, zip);
                zip.closeEntry();
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether {@code file} is a zip with an {@value #MANIFEST} entry (cheap: reads the zip directory only). */
    public static boolean isBundle(Path file) {
        if (!Files.isRegularFile(file)) return false;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getEntry(MANIFEST) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads a bundle.
     *
     * @throws IllegalArgumentException naming the file (and the field) when it is missing, not a bundle, of another
     *                                  format or version, or inconsistent (mapping names, input)
     */
    public static OnnxTeacherBundle read(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("ONNX teacher file not found: " + file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry me = zip.getEntry(MANIFEST);
            if (me == null) {
                throw new IllegalArgumentException(file + " is not an ONNX teacher bundle (no " + MANIFEST
                        + "); write one with 'detr-distill import-onnx MODEL.onnx --out " + file.getFileName() + "'");
            }
            JsonNode m;
            try (InputStream in = zip.getInputStream(me)) {
                m = JSON.readTree(in);
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": " + MANIFEST + " is not valid JSON: " + e.getMessage(), e);
            }
            if (!FORMAT.equals(m.path("format").asText())) {
                throw new IllegalArgumentException(file + ": " + MANIFEST + " field 'format' is '" + m.path("format").asText()
                        + "', expected '" + FORMAT + "'");
            }
            if (m.path("version").asInt(-1) != VERSION) {
                throw new IllegalArgumentException(file + ": " + MANIFEST + " field 'version' is " + m.path("version")
                        + "; this build reads version " + VERSION);
            }
            String modelEntry = m.path("model").asText(MODEL);
            ZipEntry ze = zip.getEntry(modelEntry);
            if (ze == null) throw new IllegalArgumentException(file + ": no entry '" + modelEntry + "' (field 'model')");
            OnnxModel model;
            try (InputStream in = zip.getInputStream(ze)) {
                model = OnnxModel.of(Onnx.ModelProto.parseFrom(in), file + "!" + modelEntry);
            }
            JsonNode shapeNode = m.path("input").path("shape");
            if (!shapeNode.isArray()) throw new IllegalArgumentException(file + ": " + MANIFEST + " has no field 'input.shape'");
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong(-1);
            String inputName = m.path("input").path("name").asText(null);
            if (model.inputs().size() != 1 || !model.inputs().get(0).name().equals(inputName)) {
                throw new IllegalArgumentException(file + ": field 'input.name' is '" + inputName + "' but the model's inputs are "
                        + model.inputs());
            }
            OnnxOutputMapping mapping = OnnxOutputMapping.fromJson(m.path("mapping").toString(), file + " (field 'mapping')");
            OnnxTeacherGraph.checkMapping(model, mapping);
            return new OnnxTeacherBundle(model, mapping, inputName, shape, file.toString());
        } catch (ZipException e) {
            throw new IllegalArgumentException(file + " is not an ONNX teacher bundle (not a zip file: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the ONNX teacher " + file + ": " + e.getMessage(), e);
        }
    }
}
