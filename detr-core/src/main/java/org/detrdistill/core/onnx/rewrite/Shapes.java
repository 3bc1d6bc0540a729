package org.detrdistill.core.onnx.rewrite;

import org.detrdistill.core.onnx.eval.HostTensor;

/** Static-shape look-ups for the rules. */
final class Shapes {
    private Shapes() {}

    /**
     * The static shape of tensor {@code name}: from the analysis, or from an initializer.
     *
     * @throws IllegalStateException naming the rule and tensor when the shape is unknown
     */
    static long[] of(MutableGraph g, String name, RewriteRule rule) {
        long[] s = g.shapes.get(name);
        if (s != null) return s.clone();
        HostTensor v = g.initializerValue(name);
        if (v != null) return v.shape();
        throw new IllegalStateException("rule " + rule.name() + " needs the static shape of '" + name
                + "'; run " + new FoldStaticSubgraphs(java.util.Map.of(), false).name() + " (static analysis) first");
    }

    /** Number of elements of a shape. */
    static long count(long[] s) {
        long n = 1;
        for (long d : s) n *= d;
        return n;
    }
}
