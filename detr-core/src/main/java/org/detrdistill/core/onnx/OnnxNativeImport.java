package org.detrdistill.core.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.backbone.BlockType;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.CheckpointFile;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.DeformableDetr;
import org.detrdistill.core.variant.Detectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Route 1 of ONNX import: an export that carries the official parameter names of a variant this framework builds
 * (Atten4Vis/ConditionalDETR, fundamentalvision/Deformable-DETR) becomes a native detector. The architecture is read
 * from the initializer shapes where they determine it ({@link #infer}); the weights are loaded by name
 * ({@link #build}); the result can be saved as a checkpoint that {@code NativeTeacher} loads ({@link #writeCheckpoint}).
 *
 * <p>What the weights determine: classes, queries, width, encoder and decoder depth, FFN width, the backbone (block
 * type, depths, widths, stem width), the canvas (the ONNX input {@code [B,3,H,W]}); for Deformable DETR also the
 * feature levels, box refinement and two-stage (refused: not built natively) and, given the heads, the sampling points.
 * What they do not determine: the number of attention heads (every projection is {@code d × d} for any head count),
 * which the caller must give; a wrong count gives a working but different model (a verification against the
 * exporter's reference outputs catches it).
 */
public final class OnnxNativeImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAYER = Pattern.compile("^transformer\\.(encoder|decoder)\\.layers\\.(\\d+)\\..*");
    private static final Pattern BLOCK = Pattern.compile("^backbone\\.0\\.body\\.layer([1-4])\\.(\\d+)\\..*");
    /** The config fields the weights never determine. */
    public static final List<String> NOT_INFERABLE = List.of("heads");

    private OnnxNativeImport() {}

    /**
     * The variant whose official parameter names the model carries, if any: Conditional DETR (its decoder's
     * {@code ca_qpos_sine_proj}) or Deformable DETR ({@code transformer.level_embed} and {@code sampling_offsets}).
     * Empty for other models and for exports with folded constants (their parameters lost their names).
     */
    public static Optional<Variant> detectVariant(OnnxModel model) {
        if (model.constantsFolded()) return Optional.empty();
        Set<String> names = new HashSet<>();
        for (OnnxModel.TensorInfo t : model.initializers()) names.add(t.name());
        boolean conditional = names.stream().anyMatch(n -> n.matches("transformer\\.decoder\\.layers\\.\\d+\\.ca_qpos_sine_proj\\.weight"));
        boolean deformable = names.contains("transformer.level_embed")
                && names.stream().anyMatch(n -> n.endsWith(".sampling_offsets.weight"));
        boolean heads = names.stream().anyMatch(n -> n.startsWith("class_embed.")) && names.stream().anyMatch(n -> n.startsWith("bbox_embed."));
        if (!heads) return Optional.empty();
        if (conditional) return Optional.of(Variant.CONDITIONAL_DETR);
        if (deformable) return Optional.of(Variant.DEFORMABLE_DETR);
        return Optional.empty();
    }

    /**
     * What the initializer shapes say about the architecture.
     *
     * @param variant the detected variant
     * @param values  inferred config fields by JSON path ({@code numClasses}, {@code backbone.widths},
     *                {@code deformable.numLevels}, ...), as JSON-compatible values
     * @param points  Deformable DETR: sampling-offset rows of the first encoder and decoder layer
     *                ({@code heads · levels · points · 2}), to get the points once the heads are known
     * @param source  the model, for messages
     */
    public record Inference(Variant variant, Map<String, Object> values, int[] points, String source) {
        /**
         * {@code base} (same variant; gives the heads and whatever the weights do not determine) with every inferred
         * field replaced.
         *
         * @throws IllegalArgumentException when {@code base} is of another variant, or the heads do not divide the
         *                                  sampling-offset rows (naming both)
         */
        public DetectorConfig apply(DetectorConfig base) {
            if (base.variant() != variant) {
                throw new IllegalArgumentException(source + " carries " + variant + " parameters, the given config is "
                        + base.variant());
            }
            BackboneConfig bb = base.backbone().toBuilder()
                    .block(BlockType.valueOf((String) values.get("backbone.block")))
                    .depths(ints(values.get("backbone.depths"))).widths(ints(values.get("backbone.widths")))
                    .stemWidth((Integer) values.get("backbone.stemWidth")).prefix(BackboneConfig.DETR_PREFIX)
                    .dilateC5(base.backbone().dilateC5() && "BOTTLENECK".equals(values.get("backbone.block")))
                    .build();
            DetectorConfig.Builder b = base.toBuilder().backbone(bb)
                    .numClasses(i("numClasses")).numQueries(i("numQueries")).hiddenDim(i("hiddenDim"))
                    .encoderLayers(i("encoderLayers")).decoderLayers(i("decoderLayers")).ffnDim(i("ffnDim"));
            if (values.containsKey("inputHeight")) b.inputSize(i("inputHeight"), i("inputWidth"));
            if (variant == Variant.DEFORMABLE_DETR) {
                int levels = i("deformable.numLevels"), heads = base.heads();
                DeformableOptions d = base.deformable();
                b.deformable(new DeformableOptions(levels, pointsOf(points[0], heads, levels, "encoder"),
                        pointsOf(points[1], heads, levels, "decoder"), (Boolean) values.get("deformable.withBoxRefine"),
                        false, d.groupNormGroups()));
            }
            return b.build();
        }

        private int pointsOf(int rows, int heads, int levels, String where) {
            if (rows % (heads * levels * 2) != 0) {
                throw new IllegalArgumentException(source + ": the " + where + "'s sampling_offsets have " + rows
                        + " rows, which is not heads " + heads + " x levels " + levels + " x points x 2 for any points: "
                        + "is heads=" + heads + " right?");
            }
            return rows / (heads * levels * 2);
        }

        private int i(String key) { return (Integer) values.get(key); }

        @SuppressWarnings("unchecked")
        private static List<Integer> ints(Object v) { return (List<Integer>) v; }

        /**
         * The inferred fields whose value in {@code given} differs, as {@code field: given → inferred} (JSON paths of
         * the config, leaves only), e.g. to refuse a {@code --set} the weights contradict.
         */
        public Map<String, String> differences(DetectorConfig given) {
            Map<String, String> out = new LinkedHashMap<>();
            JsonNode a = tree(given), b = tree(apply(given));
            diff("", a, b, out);
            return out;
        }

        private static JsonNode tree(DetectorConfig c) {
            try {
                return JSON.readTree(c.toJson());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private static void diff(String path, JsonNode a, JsonNode b, Map<String, String> out) {
            if (a.isObject() && b.isObject()) {
                for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    diff(path.isEmpty() ? f : path + "." + f, a.path(f), b.get(f), out);
                }
            } else if (!a.equals(b)) {
                out.put(path, a + " -> " + b);
            }
        }
    }

    /**
     * Reads the architecture from the initializer shapes (see the class comment).
     *
     * @throws IllegalArgumentException when the model carries no supported variant's names, a needed parameter is
     *                                  missing (naming it), or it is a two-stage Deformable DETR (not built natively)
     */
    public static Inference infer(OnnxModel model) {
        Variant variant = detectVariant(model).orElseThrow(() -> new IllegalArgumentException(model.source()
                + " does not carry the official parameter names of conditional_detr or deformable_detr"
                + (model.constantsFolded() ? " (it was exported with constant folding)" : "")));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (OnnxModel.TensorInfo t : model.initializers()) shapes.put(t.name(), t.shape());
        Shapes s = new Shapes(shapes, model.source());
        Map<String, Object> v = new LinkedHashMap<>();
        String head = variant == Variant.DEFORMABLE_DETR ? "class_embed.0.weight" : "class_embed.weight";
        v.put("numClasses", s.dim(head, 0));
        v.put("hiddenDim", s.dim(head, 1));
        v.put("numQueries", s.dim("query_embed.weight", 0));
        int[] layers = new int[2];
        for (String k : shapes.keySet()) {
            Matcher m = LAYER.matcher(k);
            if (m.matches()) {
                int i = m.group(1).equals("encoder") ? 0 : 1;
                layers[i] = Math.max(layers[i], Integer.parseInt(m.group(2)) + 1);
            }
        }
        v.put("encoderLayers", layers[0]);
        v.put("decoderLayers", layers[1]);
        v.put("ffnDim", s.dim("transformer." + (layers[0] > 0 ? "encoder" : "decoder") + ".layers.0.linear1.weight", 0));
        backbone(s, shapes.keySet(), v);
        List<OnnxModel.TensorInfo> inputs = model.inputs();
        if (inputs.size() == 1 && inputs.get(0).shape().length == 4 && inputs.get(0).isStatic()) {
            v.put("inputHeight", (int) inputs.get(0).shape()[2]);
            v.put("inputWidth", (int) inputs.get(0).shape()[3]);
        }
        int[] points = null;
        if (variant == Variant.DEFORMABLE_DETR) {
            if (shapes.keySet().stream().anyMatch(k -> k.startsWith("transformer.enc_output"))) {
                throw new IllegalArgumentException(model.source() + " is a two-stage Deformable DETR (transformer.enc_output.*): "
                        + "the native graph has no two-stage mode; import the graph instead (--route graph)");
            }
            v.put("deformable.numLevels", s.dim("transformer.level_embed", 0));
            v.put("deformable.withBoxRefine", shapes.keySet().stream().anyMatch(k -> k.startsWith("transformer.decoder.bbox_embed.")));
            points = new int[] {
                    layers[0] > 0 ? s.dim("transformer.encoder.layers.0.self_attn.sampling_offsets.weight", 0) : 0,
                    s.dim("transformer.decoder.layers.0.cross_attn.sampling_offsets.weight", 0)};
            if (points[0] == 0) points[0] = points[1];
        }
        return new Inference(variant, v, points, model.source());
    }

    private static void backbone(Shapes s, Set<String> keys, Map<String, Object> v) {
        int[] depth = new int[4];
        boolean bottleneck = false;
        for (String k : keys) {
            Matcher m = BLOCK.matcher(k);
            if (m.matches()) {
                int l = Integer.parseInt(m.group(1)) - 1;
                depth[l] = Math.max(depth[l], Integer.parseInt(m.group(2)) + 1);
                if (k.endsWith(".conv3.weight")) bottleneck = true;
            }
        }
        List<Integer> widths = new ArrayList<>(), depths = new ArrayList<>();
        for (int l = 0; l < 4; l++) {
            widths.add(s.dim(BackboneConfig.DETR_PREFIX + "layer" + (l + 1) + ".0.conv1.weight", 0));
            depths.add(depth[l]);
        }
        v.put("backbone.block", bottleneck ? "BOTTLENECK" : "BASIC");
        v.put("backbone.depths", depths);
        v.put("backbone.widths", widths);
        v.put("backbone.stemWidth", s.dim(BackboneConfig.DETR_PREFIX + "conv1.weight", 0));
    }

    /** Initializer shapes with a message naming the missing one. */
    private record Shapes(Map<String, long[]> shapes, String source) {
        int dim(String name, int axis) {
            long[] sh = shapes.get(name);
            if (sh == null || sh.length <= axis) {
                throw new IllegalArgumentException(source + ": cannot read the architecture: parameter '" + name + "' is "
                        + (sh == null ? "missing" : "of rank " + sh.length));
            }
            return (int) sh[axis];
        }
    }

    /**
     * The model's weights by {@code state_dict} key: its floating-point initializers without the exporter-generated
     * constants ({@link OnnxModel#generatedInitializerNames()}).
     *
     * @throws IllegalStateException if the export folded constants (see {@link OnnxModel#requireStateDictNames()})
     */
    public static StateDict parameters(OnnxModel model) {
        StateDict all = model.stateDict();
        Set<String> generated = new HashSet<>(model.generatedInitializerNames());
        Map<String, INDArray> kept = new LinkedHashMap<>();
        all.asMap().forEach((k, a) -> { if (!generated.contains(k)) kept.put(k, a); });
        return new StateDict(kept, model.source());
    }

    /**
     * Builds the detector of {@code config} and loads the model's weights into it by name (Deformable DETR through
     * {@link DeformableDetr#loadStateDict}, which checks the shared-head aliases).
     *
     * @throws IllegalArgumentException listing unknown, missing and mis-shaped parameters
     */
    public static DetectorGraph build(DetectorConfig config, OnnxModel model, DataType dataType) {
        DetectorGraph g = Detectors.build(config, dataType, 0);
        StateDict weights = parameters(model);
        if (config.variant() == Variant.DEFORMABLE_DETR) DeformableDetr.loadStateDict(g, weights);
        else g.loadStateDict(weights);
        return g;
    }

    /**
     * Runs a native detector on unpadded images and returns its outputs under the ONNX output names of
     * {@code mapping} and in the exported graph's shapes ({@link OnnxOutputMapping#toGraphOutputs}).
     *
     * @param images {@code [B,3,H,W]} at the detector's canvas
     */
    public static Map<String, INDArray> graphOutputs(DetectorGraph g, INDArray images, OnnxOutputMapping mapping) {
        List<String> names = new ArrayList<>(List.of(DetectorNames.LOGITS, DetectorNames.BOXES));
        for (int k = 0; k < g.numStages(); k++) {
            names.addAll(List.of(DetectorNames.stageLogits(k), DetectorNames.stageBoxes(k), DetectorNames.stageHidden(k)));
        }
        if (g.sameDiff().hasVariable(DetectorNames.MEMORY)) names.add(DetectorNames.MEMORY);
        for (int l = 0; g.sameDiff().hasVariable(DetectorNames.feature(l)); l++) names.add(DetectorNames.feature(l));
        INDArray mask = Nd4j.zeros(images.dataType(), images.size(0), images.size(2), images.size(3));
        Map<String, INDArray> contract = g.forward(images.castTo(g.dataType()), mask, names.toArray(new String[0])).arrays();
        return mapping.toGraphOutputs(contract, g.numStages());
    }

    /**
     * Saves the detector as a trainer checkpoint ({@link CheckpointFile}: its config, every parameter and constant,
     * a fresh optimizer state, step 0), the format {@code NativeTeacher.load} and {@code eval --checkpoint} read.
     */
    public static void writeCheckpoint(DetectorGraph g, Path target) throws IOException {
        Checkpoint c = Checkpoint.capture(g.sameDiff(), g.config(), new AdamW(AdamWConfig.builder().build(), ParamGroups.uniform()),
                TrainingState.initial(), new SplitMix64(0));
        CheckpointFile.write(c, target);
    }
}
