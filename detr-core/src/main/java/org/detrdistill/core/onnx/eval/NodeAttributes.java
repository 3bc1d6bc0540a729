package org.detrdistill.core.onnx.eval;

import onnx.Onnx;

import java.nio.charset.StandardCharsets;

/**
 * Typed access to the attributes of one ONNX node, with the spec defaults supplied by the caller.
 */
public final class NodeAttributes {
    private final Onnx.NodeProto node;

    /** Attributes of {@code node}. */
    public NodeAttributes(Onnx.NodeProto node) { this.node = node; }

    /** The attribute called {@code name}, or null. */
    public Onnx.AttributeProto find(String name) {
        for (Onnx.AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    /** True if the node has an attribute called {@code name}. */
    public boolean has(String name) { return find(name) != null; }

    /** An INT attribute, or {@code dflt} when absent. */
    public long getInt(String name, long dflt) {
        Onnx.AttributeProto a = find(name);
        return a == null ? dflt : a.getI();
    }

    /** A FLOAT attribute, or {@code dflt} when absent. */
    public float getFloat(String name, float dflt) {
        Onnx.AttributeProto a = find(name);
        return a == null ? dflt : a.getF();
    }

    /** A STRING attribute (UTF-8), or {@code dflt} when absent. */
    public String getString(String name, String dflt) {
        Onnx.AttributeProto a = find(name);
        return a == null ? dflt : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An INTS attribute, or {@code dflt} (may be null) when absent. */
    public long[] getInts(String name, long[] dflt) {
        Onnx.AttributeProto a = find(name);
        return a == null ? dflt : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A FLOATS attribute, or {@code dflt} (may be null) when absent. */
    public float[] getFloats(String name, float[] dflt) {
        Onnx.AttributeProto a = find(name);
        if (a == null) return dflt;
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) out[i] = a.getFloats(i);
        return out;
    }

    /** A TENSOR attribute, or null. */
    public HostTensor getTensor(String name) {
        Onnx.AttributeProto a = find(name);
        return a == null ? null : HostTensor.fromProto(a.getT());
    }

    /** "op_type 'name'" for error messages. */
    public static String describe(Onnx.NodeProto node) {
        return node.getOpType() + " node '" + node.getName() + "'";
    }
}
