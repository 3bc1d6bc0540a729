package org.detrdistill.core.onnx;

import onnx.Onnx;

/** Builders for small ONNX graphs in tests. */
final class OnnxTestGraphs {
    private OnnxTestGraphs() {}

    /** A FLOAT tensor value info with a static shape. */
    static Onnx.ValueInfoProto valueInfo(String name, long... shape) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        for (long d : shape) s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s)))
                .build();
    }

    /** A model around {@code g} at the given default-domain opset, IR version 7. */
    static Onnx.ModelProto model(Onnx.GraphProto g, int opset) {
        return Onnx.ModelProto.newBuilder().setIrVersion(7).setProducerName("test").setGraph(g)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }
}
