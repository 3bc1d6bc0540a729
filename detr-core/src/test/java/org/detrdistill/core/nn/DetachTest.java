package org.detrdistill.core.nn;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Detach}: identity forward, no gradient through the detached path, full gradient through the other paths. */
class DetachTest {
    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void forwardIsIdentityAndGradientStops() {
        SameDiff sd = SameDiff.create();
        INDArray x0 = Nd4j.createFromArray(new double[][]{{0.5, -1.25, 2.0}, {3.0, 0.125, -0.75}});
        SDVariable x = sd.var("x", x0.dup());
        SDVariable d = Detach.apply("xd", x);
        // loss = sum(x^2 * xd): d/dx = 2 x * xd = 2 x^2 (xd held constant), whereas without detach it would be 3 x^2
        SDVariable loss = x.mul(x).mul(d).sum("loss");
        sd.setLossVariables(loss);
        Map<String, INDArray> out = sd.output(Map.of(), "xd", "loss");
        assertEquals(x0, out.get("xd"));
        assertEquals(x0.mul(x0).mul(x0).sumNumber().doubleValue(), out.get("loss").getDouble(0), 1e-12);
        INDArray g = sd.calculateGradients(Map.of(), "x").get("x");
        assertEquals(x0.mul(x0).mul(2), g);
    }
}
