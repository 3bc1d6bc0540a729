package org.detrdistill.core.onnx.rewrite;

/**
 * One named rewrite of an ONNX graph ({@link MutableGraph}) that works around one defect of DL4J's ONNX importer
 * (samediff-import-onnx 1.0.0-M2.1) or lowers an op it lacks to ops it maps correctly. Rules preserve the graph's
 * values exactly (up to float32 rounding) and keep the node list topologically sorted.
 */
public interface RewriteRule {
    /** Short rule name, e.g. {@code gemm-to-matmul-add}. */
    String name();

    /** The importer defect this rule avoids, one sentence. */
    String reason();

    /**
     * Rewrites {@code graph} in place.
     *
     * @return how many sites were rewritten (0 if the rule did not apply)
     */
    int apply(MutableGraph graph);
}
