package org.detrdistill.core.onnx;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.eval.OnnxInterpreter;
import org.detrdistill.core.onnx.rewrite.*;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every rewrite rule on a small graph built with the protobuf builders: the rule fires, the defect's op form is gone,
 * and the plain-Java interpreter computes the same outputs before and after.
 */
class RewriteRulesTest {
    private final Random rng = new Random(7);

    private static Onnx.NodeProto node(String op, String name, List<String> in, List<String> out, Onnx.AttributeProto... attrs) {
        Onnx.NodeProto.Builder b = Onnx.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out);
        for (Onnx.AttributeProto a : attrs) b.addAttribute(a);
        return b.build();
    }

    private HostTensor random(long... shape) {
        double[] d = new double[HostTensor.count(shape)];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextGaussian();
        return new HostTensor(HostTensor.Type.FLOAT, shape, d);
    }

    /** A model with one FLOAT input x of shape xs, the given initializers, nodes and outputs. */
    private static Onnx.ModelProto model(long[] xs, Map<String, HostTensor> inits, List<Onnx.NodeProto> nodes, int opset, String... outputs) {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("t").addInput(OnnxTestGraphs.valueInfo("x", xs)).addAllNode(nodes);
        inits.forEach((k, v) -> g.addInitializer(v.toProto(k)));
        for (String o : outputs) g.addOutput(OnnxTestGraphs.valueInfo(o));
        return OnnxTestGraphs.model(g.build(), opset);
    }

    /** Applies static analysis (shapes) and then {@code rule}; checks the outputs are unchanged; returns the result. */
    private MutableGraph applyAndCompare(Onnx.ModelProto m, RewriteRule rule, int expectedSites, double tol) {
        long[] xs = m.getGraph().getInput(0).getType().getTensorType().getShape().getDimList().stream().mapToLong(Onnx.TensorShapeProto.Dimension::getDimValue).toArray();
        Map<String, HostTensor> in = Map.of("x", random(xs));
        MutableGraph g = new MutableGraph(m);
        StaticAnalysis.run(g, in);
        assertEquals(expectedSites, rule.apply(g), rule.name() + " sites");
        Onnx.ModelProto after = g.toModel();
        Map<String, HostTensor> before = OnnxInterpreter.runModel(m, in), now = OnnxInterpreter.runModel(after, in);
        for (String o : before.keySet()) {
            HostTensor a = before.get(o), b = now.get(o);
            assertArrayEquals(a.shape(), b.shape(), o);
            for (int i = 0; i < a.size(); i++) {
                double x = a.get(i), y = b.get(i);
                assertTrue(x == y || Math.abs(x - y) <= tol, rule.name() + ": " + o + "[" + i + "] " + x + " vs " + y);
            }
        }
        return g;
    }

    private static List<String> ops(MutableGraph g) { return g.nodes.stream().map(Onnx.NodeProto::getOpType).toList(); }

    @Test
    void nameNodesGivesUniqueNames() {
        var m = model(new long[]{2}, Map.of(), List.of(node("Relu", "", List.of("x"), List.of("a")), node("Neg", "", List.of("a"), List.of("y"))), 13, "y");
        MutableGraph g = applyAndCompare(m, new NameNodes(), 2, 0);
        assertEquals(2, g.nodes.stream().map(Onnx.NodeProto::getName).filter(n -> !n.isEmpty()).distinct().count());
    }

    @Test
    void constantNodesBecomeInitializers() {
        Onnx.AttributeProto v = Onnx.AttributeProto.newBuilder().setName("value").setType(Onnx.AttributeProto.AttributeType.TENSOR)
                .setT(HostTensor.longs(3, 2).toProto("c")).build();
        var m = model(new long[]{6}, Map.of(), List.of(node("Constant", "c", List.of(), List.of("shape"), v),
                node("Reshape", "r", List.of("x", "shape"), List.of("y"))), 13, "y");
        MutableGraph g = applyAndCompare(m, new ConstantsToInitializers(), 1, 0);
        assertEquals(List.of("Reshape"), ops(g));
        assertArrayEquals(new long[]{3, 2}, g.initializerValue("shape").longValues());
    }

    @Test
    void foldsShapeArithmeticAndKeepsWeightsByName() {
        // y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) @ W ; W stays an initializer named "proj.weight"
        var m = model(new long[]{2, 3, 4}, Map.of("proj.weight", random(12, 5), "zero", HostTensor.scalar(HostTensor.Type.INT64, 0),
                        "ax", HostTensor.longs(0), "minus1", HostTensor.longs(-1)),
                List.of(node("Shape", "s", List.of("x"), List.of("s")), node("Gather", "g", List.of("s", "zero"), List.of("b")),
                        node("Unsqueeze", "u", List.of("b", "ax"), List.of("b1")), node("Concat", "c", List.of("b1", "minus1"), List.of("shape"), MutableGraph.intAttr("axis", 0)),
                        node("Reshape", "r", List.of("x", "shape"), List.of("x2")), node("MatMul", "mm", List.of("x2", "proj.weight"), List.of("y"))), 13, "y");
        MutableGraph g = applyAndCompare(m, new FoldStaticSubgraphs(Map.of("x", random(2, 3, 4)), false), 4, 0);
        assertEquals(List.of("Reshape", "MatMul"), ops(g));
        assertArrayEquals(new long[]{2, -1}, g.initializerValue("shape").longValues());
        assertTrue(g.initializers.containsKey("proj.weight"));
    }

    @Test
    void floatConstantsAreStaticNotWeights() {
        // shape arithmetic through a float Constant: Reshape(x, Cast(Mul(Cast(Shape(x)), c)))  with c = [1, 1] float
        Onnx.AttributeProto c = Onnx.AttributeProto.newBuilder().setName("value").setType(Onnx.AttributeProto.AttributeType.TENSOR)
                .setT(new HostTensor(HostTensor.Type.FLOAT, new long[]{2}, new double[]{1, 1}).toProto("c")).build();
        var m = model(new long[]{2, 6}, Map.of(),
                List.of(node("Constant", "c", List.of(), List.of("c"), c), node("Shape", "s", List.of("x"), List.of("s")),
                        node("Cast", "f", List.of("s"), List.of("sf"), MutableGraph.intAttr("to", 1)),
                        node("Mul", "m", List.of("sf", "c"), List.of("sm")),
                        node("Cast", "i", List.of("sm"), List.of("shape"), MutableGraph.intAttr("to", 7)),
                        node("Reshape", "r", List.of("x", "shape"), List.of("y"))), 13, "y");
        Map<String, HostTensor> in = Map.of("x", random(2, 6));
        OnnxRewriter.Result r = OnnxRewriter.rewrite(m, List.of(new ConstantsToInitializers(), new FoldStaticSubgraphs(in, false)));
        assertEquals(1, r.model().getGraph().getNodeCount());
        assertEquals("Reshape", r.model().getGraph().getNode(0).getOpType());
    }

    @Test
    void gemmBecomesMatMulPlusBias() {
        var m = model(new long[]{3, 4}, Map.of("W", random(5, 4), "b", random(5)),
                List.of(node("Gemm", "fc", List.of("x", "W", "b"), List.of("y"), MutableGraph.intAttr("transB", 1),
                        Onnx.AttributeProto.newBuilder().setName("alpha").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(0.5f).build())), 13, "y");
        MutableGraph g = applyAndCompare(m, new GemmToMatMulAdd(), 1, 1e-6);
        assertEquals(List.of("MatMul", "Mul", "Add"), ops(g));
    }

    @Test
    void rank3MatMulIsWrappedInReshapes() {
        var m = model(new long[]{2, 3, 4}, Map.of("W", random(4, 5)), List.of(node("MatMul", "mm", List.of("x", "W"), List.of("y"))), 13, "y");
        MutableGraph g = applyAndCompare(m, new MatMulToRank2(), 1, 1e-6);
        assertEquals(List.of("Reshape", "MatMul", "Reshape"), ops(g));
    }

    @Test
    void powOfTwoBecomesMul() {
        var m = model(new long[]{4}, Map.of("two", HostTensor.scalar(HostTensor.Type.FLOAT, 2)), List.of(node("Pow", "p", List.of("x", "two"), List.of("y"))), 13, "y");
        assertEquals(List.of("Mul"), ops(applyAndCompare(m, new PowToMul(), 1, 0)));
    }

    @Test
    void clipWithAnAbsentBoundBecomesRelu() {
        var m = model(new long[]{3, 4}, Map.of("lo", HostTensor.scalar(HostTensor.Type.FLOAT, -0.3), "hi", HostTensor.scalar(HostTensor.Type.FLOAT, 0.5)),
                List.of(node("Clip", "both", List.of("x", "lo", "hi"), List.of("a")), node("Clip", "minOnly", List.of("a", "lo", ""), List.of("b")),
                        node("Clip", "maxOnly", List.of("x", "", "hi"), List.of("y"))), 13, "b", "y");
        MutableGraph g = applyAndCompare(m, new ClipLowering(), 3, 1e-7);
        assertFalse(ops(g).contains("Clip"));
        g.nodes.forEach(n -> n.getInputList().forEach(in -> assertFalse(in.isEmpty(), n.getName())));
    }

    @Test
    void reduceAxesArePositiveWithExplicitKeepdims() {
        var m = model(new long[]{2, 3, 4}, Map.of(), List.of(node("ReduceMean", "rm", List.of("x"), List.of("y"), MutableGraph.intsAttr("axes", -1))), 13, "y");
        MutableGraph g = applyAndCompare(m, new ReduceAxesExplicit(), 1, 0);
        var at = new org.detrdistill.core.onnx.eval.NodeAttributes(g.nodes.get(0));
        assertArrayEquals(new long[]{2}, at.getInts("axes", null));
        assertEquals(1, at.getInt("keepdims", -1));
        assertTrue(at.has("keepdims"));
    }

    @Test
    void layerAndInstanceNormalizationAreDecomposed() {
        var ln = model(new long[]{2, 5, 8}, Map.of("g", random(8), "b", random(8)),
                List.of(node("LayerNormalization", "ln", List.of("x", "g", "b"), List.of("y"), MutableGraph.intAttr("axis", -1))), 17, "y");
        assertFalse(ops(applyAndCompare(ln, new NormalizationDecompose(), 1, 1e-5)).contains("LayerNormalization"));
        var in = model(new long[]{2, 3, 4, 5}, Map.of("g", random(3), "b", random(3)),
                List.of(node("InstanceNormalization", "in", List.of("x", "g", "b"), List.of("y"))), 16, "y");
        assertFalse(ops(applyAndCompare(in, new NormalizationDecompose(), 1, 1e-5)).contains("InstanceNormalization"));
    }

    @Test
    void gridSampleBecomesTentWeightsAndMatMul() {
        for (int align = 0; align <= 1; align++) {
            // grid values in [-1.4, 1.4]: about a third of the samples have neighbours outside the 5x7 map
            HostTensor grid = random(2, 3, 4, 2);
            double[] gv = grid.values();
            for (int i = 0; i < gv.length; i++) gv[i] = Math.tanh(gv[i]) * 1.4;
            var m = model(new long[]{2, 3, 5, 7}, Map.of("grid", new HostTensor(HostTensor.Type.FLOAT, grid.shape(), gv)),
                    List.of(node("GridSample", "gs", List.of("x", "grid"), List.of("y"), MutableGraph.intAttr("align_corners", align))), 16, "y");
            MutableGraph g = applyAndCompare(m, new GridSampleLowering(), 1, 2e-6);
            assertFalse(ops(g).contains("GridSample"));
        }
    }

    @Test
    void scatterNdWithConstantIndicesBecomesGather() {
        // y = x with y[:, 0:2] = u  (indices [[i, j]] for i in 0..1, j in 0..1 → last-axis slices)
        HostTensor idx = new HostTensor(HostTensor.Type.INT64, new long[]{2, 2, 2}, new double[]{0, 0, 0, 1, 1, 0, 1, 1});
        var m = model(new long[]{2, 3, 4}, Map.of("idx", idx, "u", random(2, 2, 4)),
                List.of(node("ScatterND", "sc", List.of("x", "idx", "u"), List.of("y"))), 13, "y");
        assertEquals(List.of("Reshape", "Reshape", "Concat", "Gather", "Reshape"), ops(applyAndCompare(m, new ScatterNdToGather(), 1, 0)));
    }

    @Test
    void whereWithConstantMaskIsArithmeticWithoutNaN() {
        HostTensor cond = new HostTensor(HostTensor.Type.BOOL, new long[]{1, 4}, new double[]{1, 0, 0, 1});
        var m = model(new long[]{3, 4}, Map.of("c", cond, "ninf", HostTensor.scalar(HostTensor.Type.FLOAT, Double.NEGATIVE_INFINITY)),
                List.of(node("Where", "w", List.of("c", "ninf", "x"), List.of("y"))), 13, "y");
        MutableGraph g = applyAndCompare(m, new WhereStaticCondition(), 1, 0);
        assertFalse(ops(g).contains("Where"));
    }

    @Test
    void expandAndZeroPadAreLowered() {
        var m = model(new long[]{3, 1}, Map.of("shape", HostTensor.longs(2, 3, 4), "pads", HostTensor.longs(0, 0, 0, 0, 0, 0)),
                List.of(node("Expand", "e", List.of("x", "shape"), List.of("a")), node("Pad", "p", List.of("a", "pads"), List.of("y"))), 13, "y");
        assertEquals(List.of("Add", "Identity"), ops(applyAndCompare(m, new ExpandAndPadLowering(), 2, 0)));
    }

    @Test
    void splitSqueezeAndScalarGatherBecomeSliceAndReshape() {
        var m = model(new long[]{4, 1, 6}, Map.of("sizes", HostTensor.longs(2, 4), "ax", HostTensor.longs(1), "k", HostTensor.scalar(HostTensor.Type.INT64, -1)),
                List.of(node("Split", "sp", List.of("x", "sizes"), List.of("a", "b"), MutableGraph.intAttr("axis", 2)),
                        node("Squeeze", "sq", List.of("a", "ax"), List.of("a2")),
                        node("Gather", "ga", List.of("b", "k"), List.of("b2"), MutableGraph.intAttr("axis", 0))), 13, "a2", "b2");
        MutableGraph g = applyAndCompare(m, new LayoutOpsToReshapeSlice(), 3, 0);
        assertTrue(ops(g).stream().allMatch(o -> o.equals("Slice") || o.equals("Reshape")), ops(g).toString());
    }

    @Test
    void identityIsDroppedAndNamesSanitized() {
        var m = model(new long[]{2}, Map.of("onnx::Mul_3", random(2)),
                List.of(node("Identity", "i", List.of("x"), List.of("onnx::Identity_1")), node("Mul", "onnx::Mul_node", List.of("onnx::Identity_1", "onnx::Mul_3"), List.of("y"))), 13, "y");
        MutableGraph g = applyAndCompare(m, new DropIdentity(), 1, 0);
        SanitizeNames s = new SanitizeNames();
        assertEquals(1, s.apply(g));
        assertEquals(Map.of("onnx::Mul_3", "onnx__Mul_3"), s.renamed());
        for (Onnx.NodeProto n : g.nodes) {
            assertFalse(n.getName().contains(":"));
            n.getInputList().forEach(i -> assertFalse(i.contains(":"), i));
        }
        assertTrue(g.initializers.containsKey("onnx__Mul_3"));
    }

    @Test
    void opsetIsDeclared13AfterRewrites() {
        var m = model(new long[]{2, 3}, Map.of("s", HostTensor.longs(3, 2)),
                List.of(node("Reshape", "r", List.of("x", "s"), List.of("y"), MutableGraph.intAttr("allowzero", 0))), 17, "y");
        MutableGraph g = applyAndCompare(m, new DeclareOpset13(), 1, 0);
        assertEquals(13, g.toModel().getOpsetImport(0).getVersion());
        assertFalse(new org.detrdistill.core.onnx.eval.NodeAttributes(g.nodes.get(0)).has("allowzero"));
    }

    @Test
    void unsupportedOpIsReportedWithTypeAndNodeName() {
        var m = model(new long[]{2, 3}, Map.of(), List.of(node("Hardmax", "head/hardmax", List.of("x"), List.of("y"))), 13, "y");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () ->
                OnnxImporter.importModel(OnnxModel.of(m, "hardmax.onnx"), Map.of("x", org.nd4j.linalg.factory.Nd4j.rand(2, 3)), true));
        assertTrue(e.getMessage().contains("Hardmax") && e.getMessage().contains("head/hardmax"), e.getMessage());
    }

    @Test
    void standardRulesPreserveValuesOnAMixedGraph() {
        // Gemm + Pow + ReduceMean(-1) + Constant through the whole standard sequence
        Onnx.AttributeProto two = Onnx.AttributeProto.newBuilder().setName("value").setType(Onnx.AttributeProto.AttributeType.TENSOR)
                .setT(HostTensor.scalar(HostTensor.Type.FLOAT, 2).toProto("two")).build();
        var m = model(new long[]{3, 4}, Map.of("W", random(6, 4), "b", random(6)),
                List.of(node("Gemm", "", List.of("x", "W", "b"), List.of("h"), MutableGraph.intAttr("transB", 1)),
                        node("Constant", "", List.of(), List.of("two"), two),
                        node("Pow", "", List.of("h", "two"), List.of("h2")),
                        node("ReduceMean", "", List.of("h2"), List.of("y"), MutableGraph.intsAttr("axes", -1))), 13, "y");
        Map<String, HostTensor> in = Map.of("x", random(3, 4));
        OnnxRewriter.Result r = OnnxRewriter.rewrite(m, OnnxRewriter.standardRules(in, false));
        List<String> opTypes = new ArrayList<>();
        r.model().getGraph().getNodeList().forEach(n -> opTypes.add(n.getOpType()));
        assertEquals(List.of("MatMul", "Add", "Mul", "ReduceMean"), opTypes);
        double[] a = OnnxInterpreter.runModel(m, in).get("y").values(), b = OnnxInterpreter.runModel(r.model(), in).get("y").values();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5);
        assertTrue(Arrays.stream(a).allMatch(Double::isFinite));
    }
}
