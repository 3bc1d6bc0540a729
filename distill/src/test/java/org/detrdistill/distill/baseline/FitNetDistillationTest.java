package org.detrdistill.distill.baseline;

import org.detrdistill.core.nn.ParamFactory;
import org.detrdistill.core.testutil.CentralDifference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FitNet: values by hand (identity and adapter), finite differences. */
class FitNetDistillationTest {
    private DataType saved;

    @BeforeEach void doubles() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    private static INDArray map(double... v) {
        return Nd4j.createFromArray(v).reshape(1, 1, 1, v.length);
    }

    @Test
    void identityByHand() {
        // level 0: ((1-0)² + (2-4)²)/2 = 2.5; level 1: (3-1)² = 4; sum 6.5
        SameDiff sd = SameDiff.create();
        SDVariable s0 = sd.var("s0", map(1, 2)), s1 = sd.var("s1", map(3));
        FitNetDistillation.attach(new ParamFactory(sd, DataType.DOUBLE, 0), List.of(s0, s1), 1, 1);
        Map<String, INDArray> feeds = Map.of(FitNetDistillation.teacherFeature(0), map(0, 4), FitNetDistillation.teacherFeature(1), map(1));
        assertEquals(6.5, sd.output(feeds, "fitnet").get("fitnet").getDouble(0), 1e-14);
        assertEquals(List.of("s0", "s1"), CentralDifference.trainable(sd).stream().sorted().toList());
    }

    @Test
    void adapterByHand() {
        // φ(x) = (2x + 0.5, −x) at x = 1 -> (2.5, −1); teacher (2, 1): ((0.5)² + (−2)²)/2 = 2.125
        SameDiff sd = SameDiff.create();
        FitNetDistillation.attach(new ParamFactory(sd, DataType.DOUBLE, 0), List.of(sd.var("s0", map(1))), 1, 2);
        sd.getVariable("fitnet.adapter.0.weight").setArray(Nd4j.createFromArray(2.0, -1.0).reshape(1, 1, 1, 2));
        sd.getVariable("fitnet.adapter.0.bias").setArray(Nd4j.createFromArray(0.5, 0.0));
        INDArray teacher = Nd4j.createFromArray(2.0, 1.0).reshape(1, 2, 1, 1);
        assertEquals(2.125, sd.output(Map.of(FitNetDistillation.teacherFeature(0), teacher), "fitnet").get("fitnet").getDouble(0), 1e-14);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Nd4j.getRandom().setSeed(21);
        SameDiff sd = SameDiff.create();
        SDVariable s0 = sd.var("s0", Nd4j.randn(DataType.DOUBLE, 2, 3, 3, 2)), s1 = sd.var("s1", Nd4j.randn(DataType.DOUBLE, 2, 3, 2, 2));
        FitNetDistillation.attach(new ParamFactory(sd, DataType.DOUBLE, 4), List.of(s0, s1), 3, 5);
        sd.setLossVariables("fitnet");
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put(FitNetDistillation.teacherFeature(0), Nd4j.randn(DataType.DOUBLE, 2, 5, 3, 2));
        feeds.put(FitNetDistillation.teacherFeature(1), Nd4j.randn(DataType.DOUBLE, 2, 5, 2, 2));
        List<String> vars = CentralDifference.trainable(sd);
        assertEquals(6, vars.size(), "2 features + 2 adapters × (weight, bias): " + vars);
        var bad = CentralDifference.failures(sd, "fitnet", feeds, vars, 4, 1e-6, 1e-6, 2);
        assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
    }
}
