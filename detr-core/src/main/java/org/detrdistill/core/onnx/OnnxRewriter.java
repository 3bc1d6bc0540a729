package org.detrdistill.core.onnx;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;
import org.detrdistill.core.onnx.rewrite.ClipLowering;
import org.detrdistill.core.onnx.rewrite.ConstantsToInitializers;
import org.detrdistill.core.onnx.rewrite.DeclareOpset13;
import org.detrdistill.core.onnx.rewrite.DropIdentity;
import org.detrdistill.core.onnx.rewrite.ExpandAndPadLowering;
import org.detrdistill.core.onnx.rewrite.FoldStaticSubgraphs;
import org.detrdistill.core.onnx.rewrite.GemmToMatMulAdd;
import org.detrdistill.core.onnx.rewrite.GridSampleLowering;
import org.detrdistill.core.onnx.rewrite.LayoutOpsToReshapeSlice;
import org.detrdistill.core.onnx.rewrite.MatMulToRank2;
import org.detrdistill.core.onnx.rewrite.MutableGraph;
import org.detrdistill.core.onnx.rewrite.NameNodes;
import org.detrdistill.core.onnx.rewrite.NormalizationDecompose;
import org.detrdistill.core.onnx.rewrite.PowToMul;
import org.detrdistill.core.onnx.rewrite.ReduceAxesExplicit;
import org.detrdistill.core.onnx.rewrite.RewriteRule;
import org.detrdistill.core.onnx.rewrite.SanitizeNames;
import org.detrdistill.core.onnx.rewrite.ScatterNdToGather;
import org.detrdistill.core.onnx.rewrite.WhereStaticCondition;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rewrite pass run on an ONNX graph before DL4J's importer: a fixed sequence of {@link RewriteRule}s, each
 * avoiding one importer defect (see {@code detr-core/README.md}, "ONNX import"). Pure Java over the protobuf graph;
 * the result computes the same values as the input model.
 *
 * <p>Order: {@code name-nodes}, {@code constants-to-initializers}, {@code fold-static-subgraphs} (needs the input
 * values: shapes are static), {@code normalization-decompose}, {@code gridsample-lowering}, {@code gemm-to-matmul-add}, {@code matmul-rank3-to-rank2},
 * {@code pow-to-mul}, {@code reduce-axes-explicit}, {@code clip-lowering}, {@code scatternd-to-gather}, {@code layout-ops-to-reshape-slice}, {@code where-static-condition},
 * {@code expand-pad-lowering}, {@code drop-identity}, {@code declare-opset-13}, {@code sanitize-names}.
 */
public final class OnnxRewriter {
    /** The rewritten model, how often each rule fired, and the tensors renamed by {@code sanitize-names}. */
    public record Result(Onnx.ModelProto model, Map<String, Integer> ruleCounts, Map<String, String> renamed) {
        public Result {
            ruleCounts = Map.copyOf(ruleCounts);
            renamed = Map.copyOf(renamed);
        }

        /** The name a tensor of the original model has in the rewritten one. */
        public String nameOf(String original) { return renamed.getOrDefault(original, original); }
    }

    private OnnxRewriter() {}

    /** The standard rule sequence for the given input values. */
    public static List<RewriteRule> standardRules(Map<String, HostTensor> inputs, boolean foldParameters) {
        return List.of(new NameNodes(), new ConstantsToInitializers(), new FoldStaticSubgraphs(inputs, foldParameters),
                new NormalizationDecompose(), new GridSampleLowering(), new GemmToMatMulAdd(), new MatMulToRank2(), new PowToMul(),
                new ReduceAxesExplicit(), new ClipLowering(), new ScatterNdToGather(), new LayoutOpsToReshapeSlice(), new WhereStaticCondition(), new ExpandAndPadLowering(),
                new DropIdentity(), new DeclareOpset13(), new SanitizeNames());
    }

    /**
     * Rewrites {@code model} with the standard rules.
     *
     * @param inputs         a value for every graph input, at the shape the model will run at
     * @param foldParameters also fold computations on weights alone (frozen teachers); false keeps every weight
     *                       under its initializer name
     */
    public static Result rewrite(OnnxModel model, Map<String, INDArray> inputs, boolean foldParameters) {
        Map<String, HostTensor> host = new HashMap<>();
        inputs.forEach((k, v) -> host.put(k, HostTensor.of(v)));
        return rewrite(model.proto(), standardRules(host, foldParameters));
    }

    /** Applies {@code rules} in order to a copy of {@code model}. */
    public static Result rewrite(Onnx.ModelProto model, List<RewriteRule> rules) {
        MutableGraph g = new MutableGraph(model);
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, String> renamed = new HashMap<>();
        for (RewriteRule r : new ArrayList<>(rules)) {
            counts.put(r.name(), r.apply(g));
            if (r instanceof SanitizeNames s) renamed.putAll(s.renamed());
        }
        return new Result(g.toModel(), counts, renamed);
    }
}
