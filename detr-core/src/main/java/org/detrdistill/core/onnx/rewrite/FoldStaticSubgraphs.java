package org.detrdistill.core.onnx.rewrite;

import onnx.Onnx;
import org.detrdistill.core.onnx.eval.HostTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replaces every node whose outputs do not depend on the graph inputs by initializers holding its values, computed
 * by {@link StaticAnalysis}: Constant nodes, {@code Shape} of any tensor (shapes are fixed at export), and the
 * Shape/Gather/Unsqueeze/Concat/Slice/Range/CumSum/Where/... arithmetic of masks and positional encodings. With
 * {@code foldParameters} the computations on weights alone (weight transposes, learned query embeddings through their
 * MLPs) are folded too; without it weights stay initializers under their {@code state_dict} names.
 *
 * <p>Also records the static shape and type of every remaining tensor for the later rules.
 */
public final class FoldStaticSubgraphs implements RewriteRule {
    private final Map<String, HostTensor> inputs;
    private final boolean foldParameters;

    /**
     * @param inputs         a value for every graph input, at the shapes the model will run at
     * @param foldParameters also fold computations that read only weights
     */
    public FoldStaticSubgraphs(Map<String, HostTensor> inputs, boolean foldParameters) {
        this.inputs = Map.copyOf(inputs);
        this.foldParameters = foldParameters;
    }

    @Override public String name() { return "fold-static-subgraphs"; }

    @Override public String reason() {
        return "Constant nodes crash the importer (SIGFPE), Shape->Slice chains mis-shape, and many mask/position ops "
                + "(ScatterND, CumSum, Where, Range, Resize, ConstantOfShape, Equal, Not, Cast) are unmapped or wrong";
    }

    @Override
    public int apply(MutableGraph g) {
        StaticAnalysis a = StaticAnalysis.run(g, inputs);
        List<Onnx.NodeProto> kept = new ArrayList<>();
        List<Onnx.NodeProto> folded = new ArrayList<>();
        for (Onnx.NodeProto n : g.nodes) {
            boolean foldable = true;
            for (String o : n.getOutputList()) {
                if (a.inputDependent.contains(o) || (!foldParameters && a.parameterDependent.contains(o))) foldable = false;
            }
            (foldable ? folded : kept).add(n);
        }
        g.nodes.clear();
        g.nodes.addAll(kept);
        Map<String, Integer> uses = g.useCounts();
        for (Onnx.NodeProto n : folded) {
            for (String o : n.getOutputList()) {
                if (!o.isEmpty() && uses.containsKey(o)) g.addInitializer(o, a.values.get(o));
            }
        }
        g.dropUnusedInitializers();
        return folded.size();
    }
}
