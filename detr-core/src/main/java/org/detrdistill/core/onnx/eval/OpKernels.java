package org.detrdistill.core.onnx.eval;

import onnx.Onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Evaluates one ONNX node on {@link HostTensor} inputs (the default domain, opsets 11–17 semantics). The set of
 * supported op types is {@link #SUPPORTED}; anything else fails with the op type and node name.
 */
public final class OpKernels {
    /** Op types this interpreter evaluates. */
    public static final Set<String> SUPPORTED = new TreeSet<>(List.of(
            "Abs", "Add", "And", "Cast", "Ceil", "Clip", "Concat", "Constant", "ConstantOfShape", "Conv", "Cos", "CumSum",
            "Div", "Equal", "Erf", "Exp", "Expand", "Flatten", "Floor", "Gather", "Gemm", "Greater", "GreaterOrEqual",
            "GridSample", "Identity", "InstanceNormalization", "LayerNormalization", "Less", "LessOrEqual", "Log", "MatMul",
            "Max", "MaxPool", "Min", "Mul", "Neg", "Not", "Or", "Pad", "Pow", "Range", "Reciprocal", "ReduceMax",
            "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "Relu", "Reshape", "Resize", "ScatterND", "Shape",
            "Sigmoid", "Sin", "Slice", "Softmax", "Split", "Sqrt", "Squeeze", "Sub", "Tanh", "Tile", "Transpose",
            "Unsqueeze", "Where"));

    private OpKernels() {}

    /**
     * Runs {@code node}.
     *
     * @param inputs one entry per node input, null where an optional input is absent (empty name)
     * @param opset  the model's default-domain opset (selects attribute-vs-input forms)
     * @return one tensor per node output
     * @throws UnsupportedOperationException naming the op type and node for an op outside {@link #SUPPORTED}
     * @throws IllegalArgumentException naming the node when the inputs do not fit the op
     */
    public static List<HostTensor> run(Onnx.NodeProto node, List<HostTensor> inputs, int opset) {
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
            throw new UnsupportedOperationException("op domain '" + node.getDomain() + "' of " + NodeAttributes.describe(node) + " is not supported");
        }
        if (!SUPPORTED.contains(node.getOpType())) {
            throw new UnsupportedOperationException("unsupported ONNX op " + NodeAttributes.describe(node));
        }
        try {
            return eval(node, inputs, opset);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(NodeAttributes.describe(node) + ": " + e.getMessage(), e);
        }
    }

    private static List<HostTensor> eval(Onnx.NodeProto node, List<HostTensor> in, int opset) {
        NodeAttributes at = new NodeAttributes(node);
        HostTensor x = in.isEmpty() ? null : in.get(0);
        if (node.getOpType().equals("Split")) {
            long[] sizes = opset >= 13 ? (opt(in, 1) == null ? null : in.get(1).longValues()) : at.getInts("split", null);
            return ShapeKernels.split(x, at.getInt("axis", 0), sizes, node.getOutputCount());
        }
        HostTensor y = switch (node.getOpType()) {
            case "Identity" -> x;
            case "Abs" -> ElementwiseKernels.unary(x, Math::abs);
            case "Neg" -> ElementwiseKernels.unary(x, v -> -v);
            case "Relu" -> ElementwiseKernels.unary(x, v -> Math.max(v, 0));
            case "Sigmoid" -> ElementwiseKernels.unary(x, v -> 1 / (1 + Math.exp(-v)));
            case "Tanh" -> ElementwiseKernels.unary(x, Math::tanh);
            case "Sqrt" -> ElementwiseKernels.unary(x, Math::sqrt);
            case "Exp" -> ElementwiseKernels.unary(x, Math::exp);
            case "Log" -> ElementwiseKernels.unary(x, Math::log);
            case "Sin" -> ElementwiseKernels.unary(x, Math::sin);
            case "Cos" -> ElementwiseKernels.unary(x, Math::cos);
            case "Erf" -> ElementwiseKernels.unary(x, ElementwiseKernels::erf);
            case "Floor" -> ElementwiseKernels.unary(x, Math::floor);
            case "Ceil" -> ElementwiseKernels.unary(x, Math::ceil);
            case "Reciprocal" -> ElementwiseKernels.unary(x, v -> 1 / v);
            case "Not" -> ElementwiseKernels.unary(x, v -> v == 0 ? 1 : 0);
            case "Cast" -> x.cast(HostTensor.Type.ofOnnx((int) at.getInt("to", 1)));
            case "Clip" -> opset < 11
                    ? ElementwiseKernels.clip(x, at.getFloat("min", Float.NEGATIVE_INFINITY), at.getFloat("max", Float.POSITIVE_INFINITY))
                    : ElementwiseKernels.clip(x, opt(in, 1) == null ? Double.NEGATIVE_INFINITY : in.get(1).get(0),
                    opt(in, 2) == null ? Double.POSITIVE_INFINITY : in.get(2).get(0));
            case "Add" -> ElementwiseKernels.binary("Add", x, in.get(1), null, Double::sum);
            case "Sub" -> ElementwiseKernels.binary("Sub", x, in.get(1), null, (p, q) -> p - q);
            case "Mul" -> ElementwiseKernels.binary("Mul", x, in.get(1), null, (p, q) -> p * q);
            case "Div" -> ElementwiseKernels.div(x, in.get(1));
            case "Pow" -> ElementwiseKernels.pow(x, in.get(1));
            case "Equal" -> ElementwiseKernels.binary("Equal", x, in.get(1), HostTensor.Type.BOOL, (p, q) -> p == q ? 1 : 0);
            case "Greater" -> ElementwiseKernels.binary("Greater", x, in.get(1), HostTensor.Type.BOOL, (p, q) -> p > q ? 1 : 0);
            case "GreaterOrEqual" -> ElementwiseKernels.binary("GreaterOrEqual", x, in.get(1), HostTensor.Type.BOOL, (p, q) -> p >= q ? 1 : 0);
            case "Less" -> ElementwiseKernels.binary("Less", x, in.get(1), HostTensor.Type.BOOL, (p, q) -> p < q ? 1 : 0);
            case "LessOrEqual" -> ElementwiseKernels.binary("LessOrEqual", x, in.get(1), HostTensor.Type.BOOL, (p, q) -> p <= q ? 1 : 0);
            case "And" -> ElementwiseKernels.binary("And", x, in.get(1), HostTensor.Type.BOOL, (p, q) -> p != 0 && q != 0 ? 1 : 0);
            case "Or" -> ElementwiseKernels.binary("Or", x, in.get(1), HostTensor.Type.BOOL, (p, q) -> p != 0 || q != 0 ? 1 : 0);
            case "Max" -> ElementwiseKernels.variadic("Max", in, Math::max);
            case "Min" -> ElementwiseKernels.variadic("Min", in, Math::min);
            case "Where" -> ElementwiseKernels.where(x, in.get(1), in.get(2));
            case "Constant" -> constant(at);
            case "ConstantOfShape" -> {
                HostTensor v = at.getTensor("value");
                HostTensor.Type t = v == null ? HostTensor.Type.FLOAT : v.type();
                long[] shape = x.longValues();
                double[] d = new double[HostTensor.count(shape)];
                java.util.Arrays.fill(d, v == null ? 0 : v.get(0));
                yield new HostTensor(t, shape, d);
            }
            case "Shape" -> {
                long[] s = x.shape();
                int r = s.length;
                int st = (int) at.getInt("start", 0), en = (int) at.getInt("end", r);
                if (st < 0) st += r;
                if (en < 0) en += r;
                st = Math.max(0, Math.min(st, r));
                en = Math.max(st, Math.min(en, r));
                yield HostTensor.longs(java.util.Arrays.copyOfRange(s, st, en));
            }
            case "Reshape" -> ShapeKernels.reshape(x, in.get(1).longValues(), at.getInt("allowzero", 0) == 1);
            case "Flatten" -> ShapeKernels.flatten(x, at.getInt("axis", 1));
            case "Transpose" -> ShapeKernels.transpose(x, at.getInts("perm", null));
            case "Concat" -> ShapeKernels.concat(in, at.getInt("axis", 0));
            case "Squeeze" -> ShapeKernels.squeeze(x, opset >= 13 ? (opt(in, 1) == null ? null : in.get(1).longValues()) : at.getInts("axes", null));
            case "Unsqueeze" -> ShapeKernels.unsqueeze(x, opset >= 13 ? in.get(1).longValues() : at.getInts("axes", null));
            case "Slice" -> opset < 10
                    ? ShapeKernels.slice(x, at.getInts("starts", null), at.getInts("ends", null), at.getInts("axes", null), null)
                    : ShapeKernels.slice(x, in.get(1).longValues(), in.get(2).longValues(),
                    opt(in, 3) == null ? null : in.get(3).longValues(), opt(in, 4) == null ? null : in.get(4).longValues());
            case "Gather" -> ShapeKernels.gather(x, in.get(1), at.getInt("axis", 0));
            case "Expand" -> ShapeKernels.expand(x, in.get(1).longValues());
            case "Tile" -> ShapeKernels.tile(x, in.get(1).longValues());
            case "Pad" -> ShapeKernels.pad(x, opset >= 11 ? in.get(1).longValues() : at.getInts("pads", null),
                    opset >= 11 ? (opt(in, 2) == null ? 0 : in.get(2).get(0)) : at.getFloat("value", 0), at.getString("mode", "constant"));
            case "Range" -> ShapeKernels.range(x, in.get(1), in.get(2));
            case "CumSum" -> ShapeKernels.cumsum(x, in.get(1).getLong(0), at.getInt("exclusive", 0) == 1, at.getInt("reverse", 0) == 1);
            case "ScatterND" -> {
                if (!at.getString("reduction", "none").equals("none")) throw new IllegalArgumentException("only reduction 'none' is supported");
                yield ShapeKernels.scatterNd(x, in.get(1), in.get(2));
            }
            case "MatMul" -> NnKernels.matmul(x, in.get(1));
            case "Gemm" -> NnKernels.gemm(x, in.get(1), opt(in, 2), at.getFloat("alpha", 1), at.getFloat("beta", 1),
                    at.getInt("transA", 0) == 1, at.getInt("transB", 0) == 1);
            case "Conv" -> conv(x, in, at);
            case "MaxPool" -> {
                long[] k = at.getInts("kernel_shape", null);
                if (!at.getString("auto_pad", "NOTSET").equals("NOTSET")) throw new IllegalArgumentException("auto_pad is not supported");
                yield NnKernels.maxPool(x, k, at.getInts("strides", new long[]{1, 1}), at.getInts("pads", new long[4]), at.getInt("ceil_mode", 0) == 1);
            }
            case "Softmax" -> {
                if (opset < 13) throw new IllegalArgumentException("Softmax before opset 13 (2-D coercion) is not supported");
                yield NnKernels.softmax(x, at.getInt("axis", -1));
            }
            case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd" -> {
                boolean axesInput = node.getOpType().equals("ReduceSum") ? opset >= 13 : opset >= 18;
                long[] axes = axesInput ? (opt(in, 1) == null ? null : in.get(1).longValues()) : at.getInts("axes", null);
                NnKernels.Reduce kind = NnKernels.Reduce.valueOf(node.getOpType().substring(6).toUpperCase());
                yield NnKernels.reduce(x, axes, at.getInt("keepdims", 1) == 1, kind, at.getInt("noop_with_empty_axes", 0) == 1);
            }
            case "LayerNormalization" -> NnKernels.layerNorm(x, in.get(1), opt(in, 2), at.getInt("axis", -1), at.getFloat("epsilon", 1e-5f));
            case "InstanceNormalization" -> NnKernels.instanceNorm(x, in.get(1), in.get(2), at.getFloat("epsilon", 1e-5f));
            case "Resize" -> resize(x, in, at);
            case "GridSample" -> {
                if (!at.getString("mode", "bilinear").equals("bilinear") || !at.getString("padding_mode", "zeros").equals("zeros")) {
                    throw new IllegalArgumentException("only mode 'bilinear' with padding_mode 'zeros' is supported");
                }
                yield NnKernels.gridSample(x, in.get(1), at.getInt("align_corners", 0) == 1);
            }
            default -> throw new UnsupportedOperationException("unsupported ONNX op " + NodeAttributes.describe(node));
        };
        List<HostTensor> out = new ArrayList<>(1);
        out.add(y);
        return out;
    }

    private static HostTensor opt(List<HostTensor> in, int i) { return i < in.size() ? in.get(i) : null; }

    private static HostTensor constant(NodeAttributes at) {
        HostTensor t = at.getTensor("value");
        if (t != null) return t;
        if (at.has("value_float")) return HostTensor.scalar(HostTensor.Type.FLOAT, at.getFloat("value_float", 0));
        if (at.has("value_int")) return HostTensor.scalar(HostTensor.Type.INT64, at.getInt("value_int", 0));
        if (at.has("value_ints")) return HostTensor.longs(at.getInts("value_ints", null));
        if (at.has("value_floats")) {
            float[] f = at.getFloats("value_floats", null);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return new HostTensor(HostTensor.Type.FLOAT, new long[]{f.length}, d);
        }
        throw new IllegalArgumentException("Constant without a supported value attribute");
    }

    private static HostTensor conv(HostTensor x, List<HostTensor> in, NodeAttributes at) {
        if (!at.getString("auto_pad", "NOTSET").equals("NOTSET")) throw new IllegalArgumentException("auto_pad is not supported");
        return NnKernels.conv(x, in.get(1), opt(in, 2), at.getInts("strides", new long[]{1, 1}), at.getInts("pads", new long[4]),
                at.getInts("dilations", new long[]{1, 1}), (int) at.getInt("group", 1));
    }

    private static HostTensor resize(HostTensor x, List<HostTensor> in, NodeAttributes at) {
        HostTensor scales = opt(in, 2), sizes = opt(in, 3);
        long[] outShape = new long[x.rank()];
        double[] sc = new double[x.rank()];
        if (sizes != null && sizes.size() > 0) {
            outShape = sizes.longValues();
            for (int i = 0; i < sc.length; i++) sc[i] = (double) outShape[i] / x.dim(i);
        } else if (scales != null && scales.size() > 0) {
            for (int i = 0; i < sc.length; i++) {
                sc[i] = scales.get(i);
                outShape[i] = (long) Math.floor(x.dim(i) * sc[i]);
            }
        } else {
            throw new IllegalArgumentException("Resize needs scales or sizes");
        }
        if (x.rank() != 4) throw new IllegalArgumentException("only rank-4 Resize is supported");
        return NnKernels.resize(x, outShape, sc, at.getString("mode", "nearest"),
                at.getString("coordinate_transformation_mode", "half_pixel"), at.getString("nearest_mode", "round_prefer_floor"));
    }
}
