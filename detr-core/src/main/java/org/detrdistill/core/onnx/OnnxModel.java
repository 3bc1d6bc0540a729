package org.detrdistill.core.onnx;

import onnx.Onnx;
import org.detrdistill.core.checkpoint.StateDict;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A read-only view of an ONNX model file: its inputs and outputs with shapes, op-type counts, initializers (name,
 * shape, type) and parameter count, and the initializers as ND4J arrays.
 *
 * <p>State-dict names: torch's exporter keeps {@code state_dict} keys (e.g. {@code transformer.decoder.norm.weight})
 * as initializer names only with {@code do_constant_folding=False}. With the default {@code True} it folds and
 * renames parameters ({@code onnx::Conv_123}, {@code onnx::MatMul_456}); {@link #constantsFolded()} detects such an
 * export and {@link #requireStateDictNames()} rejects it with the export settings to use.
 *
 * <pre>{@code
 * OnnxModel m = OnnxModel.read(Path.of("teacher.onnx"));
 * m.inputs();               // [images [1, 3, 128, 128] FLOAT]
 * m.opTypeCounts();         // {Add=138, Cast=56, ...}
 * INDArray w = m.initializer("class_embed.weight");   // [C, d] float32
 * }</pre>
 */
public final class OnnxModel {
    /** Name, shape ({@code -1} for a symbolic or unknown dimension) and element type of a graph tensor. */
    public record TensorInfo(String name, long[] shape, String dataType) {
        public TensorInfo { shape = shape.clone(); }

        @Override public long[] shape() { return shape.clone(); }

        /** True when every dimension is known. */
        public boolean isStatic() { return java.util.Arrays.stream(shape).allMatch(d -> d >= 0); }

        @Override public String toString() { return name + " " + java.util.Arrays.toString(shape) + " " + dataType; }
    }

    /** Exporter-generated initializer names: {@code onnx::Op_12}, {@code /path/Constant_output_0}, plain numbers. */
    private static final Pattern GENERATED = Pattern.compile("^(onnx::.*|/.*|\\d+|_v_\\d+|Constant_\\d+.*)$");

    private final Onnx.ModelProto proto;
    private final String source;

    private OnnxModel(Onnx.ModelProto proto, String source) {
        this.proto = proto;
        this.source = source;
    }

    /**
     * Reads a {@code .onnx} file.
     *
     * @throws IllegalArgumentException naming the file when it is missing, unreadable or not an ONNX model
     */
    public static OnnxModel read(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("ONNX model file not found: " + file);
        Onnx.ModelProto proto;
        try (InputStream in = Files.newInputStream(file)) {
            proto = Onnx.ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an ONNX model: " + file + " (" + e.getMessage() + ")", e);
        }
        return of(proto, file.toString());
    }

    /**
     * Wraps a parsed model.
     *
     * @param source named in error messages
     * @throws IllegalArgumentException if the message has no graph, IR version or default-domain opset
     */
    public static OnnxModel of(Onnx.ModelProto proto, String source) {
        if (proto.getIrVersion() <= 0 || !proto.hasGraph() || proto.getGraph().getNodeCount() == 0
                || proto.getOpsetImportCount() == 0) {
            throw new IllegalArgumentException("not an ONNX model: " + source
                    + " (no IR version, opset or graph nodes; is it a .onnx file written by torch.onnx.export?)");
        }
        return new OnnxModel(proto, source);
    }

    /** The protobuf message. */
    public Onnx.ModelProto proto() { return proto; }

    /** Where the model came from (file name), for messages. */
    public String source() { return source; }

    /** The default-domain ({@code ai.onnx}) opset version. */
    public int opset() {
        return proto.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToInt(o -> (int) o.getVersion()).findFirst().orElse(-1);
    }

    /** Graph inputs that are not initializers (what the caller feeds). */
    public List<TensorInfo> inputs() {
        java.util.Set<String> inits = initializerNames();
        return proto.getGraph().getInputList().stream().filter(v -> !inits.contains(v.getName())).map(OnnxModel::info).toList();
    }

    /** Graph outputs, in graph order. */
    public List<TensorInfo> outputs() { return proto.getGraph().getOutputList().stream().map(OnnxModel::info).toList(); }

    /** Output names, in graph order. */
    public List<String> outputNames() { return outputs().stream().map(TensorInfo::name).toList(); }

    /** How many nodes of each op type the graph has (sorted by op type). */
    public SortedMap<String, Integer> opTypeCounts() {
        SortedMap<String, Integer> counts = new TreeMap<>();
        for (Onnx.NodeProto n : proto.getGraph().getNodeList()) counts.merge(n.getOpType(), 1, Integer::sum);
        return Collections.unmodifiableSortedMap(counts);
    }

    /** Name, shape and type of every initializer, in file order. */
    public List<TensorInfo> initializers() {
        List<TensorInfo> out = new ArrayList<>();
        for (Onnx.TensorProto t : proto.getGraph().getInitializerList()) {
            out.add(new TensorInfo(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray(),
                    Onnx.TensorProto.DataType.forNumber(t.getDataType()).name()));
        }
        return out;
    }

    private java.util.Set<String> initializerNames() {
        java.util.Set<String> s = new java.util.HashSet<>();
        for (Onnx.TensorProto t : proto.getGraph().getInitializerList()) s.add(t.getName());
        return s;
    }

    /** Total number of elements of the floating-point initializers (parameters and float buffers such as BN statistics). */
    public long parameterCount() {
        long n = 0;
        for (Onnx.TensorProto t : proto.getGraph().getInitializerList()) {
            int dt = t.getDataType();
            if (dt == 1 || dt == 10 || dt == 11 || dt == 16) n += t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        }
        return n;
    }

    /**
     * The initializer {@code name} as an array of its stored type (float32, float64, int64, int32, ...), read from
     * raw_data or the typed fields.
     *
     * @throws IllegalArgumentException naming the model and the initializer when it is absent or unreadable
     */
    public INDArray initializer(String name) {
        for (Onnx.TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getName().equals(name)) {
                try {
                    return HostTensor.fromProto(t).toINDArray();
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(source + ": initializer '" + name + "': " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalArgumentException(source + " has no initializer '" + name + "'");
    }

    /** Every initializer as an array, by name in file order. */
    public Map<String, INDArray> initializerArrays() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Onnx.TensorProto t : proto.getGraph().getInitializerList()) out.put(t.getName(), initializer(t.getName()));
        return out;
    }

    /**
     * The floating-point initializers as a {@code state_dict} (key → array), e.g. to initialise a student or load the
     * teacher's weights into a SameDiff detector with {@code WeightLoader}.
     *
     * @throws IllegalStateException if the export folded constants (see {@link #requireStateDictNames()})
     */
    public StateDict stateDict() {
        requireStateDictNames();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Onnx.TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getDataType() == 1 || t.getDataType() == 11) out.put(t.getName(), initializer(t.getName()));
        }
        return new StateDict(out, source);
    }

    /**
     * Names of initializers that look exporter-generated rather than like {@code state_dict} keys
     * ({@code onnx::Conv_123}, {@code /backbone/Constant_output_0}, plain numbers).
     */
    public List<String> generatedInitializerNames() {
        return proto.getGraph().getInitializerList().stream().map(Onnx.TensorProto::getName)
                .filter(n -> GENERATED.matcher(n).matches()).toList();
    }

    /**
     * True when the export folded constants ({@code do_constant_folding=True}): some float initializer of rank ≥ 1
     * carries a generated name, i.e. parameters lost their {@code state_dict} keys.
     */
    public boolean constantsFolded() {
        for (Onnx.TensorProto t : proto.getGraph().getInitializerList()) {
            boolean floatParam = (t.getDataType() == 1 || t.getDataType() == 11) && t.getDimsCount() >= 1;
            if (floatParam && GENERATED.matcher(t.getName()).matches()) return true;
        }
        return false;
    }

    /**
     * Fails unless the initializers carry {@code state_dict} keys.
     *
     * @throws IllegalStateException naming the model, some generated names and the export settings to use
     */
    public void requireStateDictNames() {
        if (!constantsFolded()) return;
        List<String> gen = generatedInitializerNames();
        throw new IllegalStateException(source + ": the initializers do not carry state_dict names (" + gen.size() + " of "
                + proto.getGraph().getInitializerCount() + " look exporter-generated, e.g. "
                + gen.subList(0, Math.min(3, gen.size())) + "): the model was exported with constant folding. Re-export with "
                + "torch.onnx.export(model, images, path, do_constant_folding=False, export_params=True, "
                + "keep_initializers_as_inputs=False, training=torch.onnx.TrainingMode.EVAL), e.g. tools/export_onnx.py");
    }

    private static TensorInfo info(Onnx.ValueInfoProto v) {
        Onnx.TypeProto.Tensor t = v.getType().getTensorType();
        long[] shape = t.getShape().getDimList().stream()
                .mapToLong(d -> d.hasDimValue() ? d.getDimValue() : -1).toArray();
        Onnx.TensorProto.DataType dt = Onnx.TensorProto.DataType.forNumber(t.getElemType());
        return new TensorInfo(v.getName(), shape, dt == null ? "UNKNOWN" : dt.name());
    }

    @Override
    public String toString() {
        return "OnnxModel[" + source + ", opset " + opset() + ", " + proto.getGraph().getNodeCount() + " nodes, "
                + proto.getGraph().getInitializerCount() + " initializers]";
    }
}
