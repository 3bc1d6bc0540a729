package org.detrdistill.examples.bench;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.train.AdamW;
import org.detrdistill.core.train.AdamWConfig;
import org.detrdistill.core.train.Checkpoint;
import org.detrdistill.core.train.ParamGroups;
import org.detrdistill.core.train.SplitMix64;
import org.detrdistill.core.train.TrainingState;
import org.detrdistill.core.variant.Detectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Drift per group: 0 at the initialisation, the exact ratio for a changed group, nothing else moves; group names. */
class WeightDriftTest {
    @Test
    void measuresTheChangedGroupOnly() {
        DetectorConfig config = DetectorPresets.get("conditional_detr_tiny").toBuilder().numClasses(3).hiddenDim(32)
                .heads(2).encoderLayers(1).decoderLayers(1).ffnDim(32).numQueries(5).inputSize(64, 64).build();
        DetectorGraph g = Detectors.build(config, DataType.FLOAT, 7);
        Map<String, WeightDrift.Group> none = WeightDrift.drift(capture(g), Detectors.build(config, DataType.FLOAT, 7));
        assertTrue(none.containsKey("input_proj") && none.containsKey("transformer"), none.keySet().toString());
        none.forEach((k, v) -> assertEquals(0.0, v.drift(), 0.0, k));

        INDArray w = g.sameDiff().getArrForVarName("input_proj.weight");   // the group's weight and bias
        INDArray b = g.sameDiff().getArrForVarName("input_proj.bias");
        w.muli(1.5);
        b.muli(1.5);
        Map<String, WeightDrift.Group> d = WeightDrift.drift(capture(g), Detectors.build(config, DataType.FLOAT, 7));
        assertEquals(0.5, d.get("input_proj").drift(), 1e-6, "||1.5W - W|| / ||W||");
        assertEquals(w.length() + b.length(), d.get("input_proj").count());
        d.forEach((k, v) -> { if (!k.equals("input_proj")) assertEquals(0.0, v.drift(), 0.0, k); });
        assertNotEquals(0.0, WeightDrift.drift(capture(g), Detectors.build(config, DataType.FLOAT, 8)).get("transformer").drift(),
                "another seed is another initialisation");
    }

    @Test
    void groupsAreBackboneStagesOrTheFirstComponent() {
        assertEquals("backbone.0.body.layer2", WeightDrift.group("backbone.0.body.layer2.0.conv1.weight"));
        assertEquals("input_proj", WeightDrift.group("input_proj.0.weight"));
        assertEquals("query_embed", WeightDrift.group("query_embed"));
    }

    private static Checkpoint capture(DetectorGraph g) {
        return Checkpoint.capture(g.sameDiff(), g.config(), new AdamW(AdamWConfig.detr(), ParamGroups.uniform()),
                TrainingState.initial(), new SplitMix64(1));
    }
}
