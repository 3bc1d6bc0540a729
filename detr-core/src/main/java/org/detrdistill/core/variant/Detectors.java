package org.detrdistill.core.variant;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Objects;

/**
 * Builds the detector graph of any {@link DetectorConfig}, dispatching on its variant.
 *
 * <pre>{@code
 * DetectorGraph det = Detectors.build(DetectorPresets.get("deformable_detr_tiny"), DataType.FLOAT, 42);
 * DetectorOutputs out = det.forward(images, pixelMask);   // [B,3,H,W], [B,H,W] padded to the config's canvas
 * }</pre>
 */
public final class Detectors {
    private Detectors() {}

    /**
     * @param config   the architecture
     * @param dataType FLOAT for training and inference, DOUBLE for gradient checks and parity tests
     * @param seed     seed of every parameter initialisation (same seed, same config: same parameters)
     * @return a fresh graph exposing the {@link org.detrdistill.core.model.DetectorNames} contract
     * @throws UnsupportedOperationException for an option a variant does not implement
     */
    public static DetectorGraph build(DetectorConfig config, DataType dataType, long seed) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(dataType, "dataType");
        return switch (config.variant()) {
            case CONDITIONAL_DETR -> new ConditionalDetr(config).build(dataType, seed);
            case DEFORMABLE_DETR -> new DeformableDetr(config).build(dataType, seed);
            case ADAMIXER -> new AdaMixer(config).build(dataType, seed);
        };
    }
}
