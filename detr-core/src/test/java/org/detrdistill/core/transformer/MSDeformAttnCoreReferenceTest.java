package org.detrdistill.core.transformer;

import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MSDeformAttnCoreReference} against the {@code msdeform_attn/core_*} fixtures (forward). */
class MSDeformAttnCoreReferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"core_L3_B2_H2_D4_Lq7_P2", "core_L4_B1_H4_D8_Lq11_P4"})
    void forwardMatchesFixture(String caseName) {
        Fixture f = Fixture.load("msdeform_attn", caseName);
        LevelShapes levels = LevelShapes.fromArrays(f.npy("spatial_shapes"), f.npy("level_start_index"));
        INDArray out = MSDeformAttnCoreReference.forward(f.npy("value"), levels, f.npy("sampling_locations"),
                f.npy("attention_weights"));
        INDArray expected = f.npy("output", DataType.DOUBLE);
        assertArrayEquals(expected.shape(), out.shape());
        double diff = TestArrays.maxAbsDiff(expected, out);
        assertTrue(diff < 1e-12, "max |diff| " + diff);
    }
}
