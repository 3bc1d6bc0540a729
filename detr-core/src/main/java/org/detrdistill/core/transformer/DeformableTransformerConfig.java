package org.detrdistill.core.transformer;

import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;

/**
 * Sizes of Deformable DETR's {@code DeformableTransformer} (fundamentalvision/Deformable-DETR,
 * models/deformable_transformer.py; reference defaults in brackets). A detector derives it from its
 * {@link DetectorConfig} ({@link #from}), which is the persisted (JSON) form; build one directly with {@link #builder()}
 * for the transformer alone.
 *
 * @param dModel        d [256]
 * @param nHeads        attention heads of every attention [8]
 * @param encoderLayers encoder layers [6]
 * @param decoderLayers decoder layers [6]
 * @param ffnDim        feed-forward width [1024]
 * @param numLevels     feature levels L [4]
 * @param encoderPoints sampling points per head and level in the encoder [4]
 * @param decoderPoints sampling points per head and level in the decoder [4]
 */
public record DeformableTransformerConfig(int dModel, int nHeads, int encoderLayers, int decoderLayers, int ffnDim,
                                          int numLevels, int encoderPoints, int decoderPoints) {
    public DeformableTransformerConfig {
        if (dModel < 1 || nHeads < 1 || ffnDim < 1 || numLevels < 1 || encoderPoints < 1 || decoderPoints < 1) {
            throw new IllegalArgumentException("DeformableTransformerConfig: dModel, nHeads, ffnDim, numLevels and points must be >= 1, got "
                    + java.util.Arrays.toString(new int[]{dModel, nHeads, ffnDim, numLevels, encoderPoints, decoderPoints}));
        }
        if (encoderLayers < 0 || decoderLayers < 1) {
            throw new IllegalArgumentException("DeformableTransformerConfig: encoderLayers must be >= 0 and decoderLayers >= 1, got "
                    + encoderLayers + ", " + decoderLayers);
        }
        if (dModel % nHeads != 0) {
            throw new IllegalArgumentException("DeformableTransformerConfig: dModel " + dModel + " is not divisible by nHeads " + nHeads);
        }
    }

    /** The transformer of a Deformable DETR detector configuration. */
    public static DeformableTransformerConfig from(DetectorConfig c) {
        if (c.variant() != Variant.DEFORMABLE_DETR) throw new IllegalArgumentException("not a deformable_detr config: " + c.variant());
        DeformableOptions o = c.deformable();
        return new DeformableTransformerConfig(c.hiddenDim(), c.heads(), c.encoderLayers(), c.decoderLayers(), c.ffnDim(),
                o.numLevels(), o.encoderPoints(), o.decoderPoints());
    }

    /** The encoder's {@link MSDeformAttn} configuration. */
    public MSDeformAttnConfig encoderAttention() { return new MSDeformAttnConfig(dModel, numLevels, nHeads, encoderPoints); }

    /** The decoder's cross-attention {@link MSDeformAttn} configuration. */
    public MSDeformAttnConfig decoderAttention() { return new MSDeformAttnConfig(dModel, numLevels, nHeads, decoderPoints); }

    /** A builder starting from the reference defaults. */
    public static Builder builder() { return new Builder(); }

    /** Builder of {@link DeformableTransformerConfig}. */
    public static final class Builder {
        private int dModel = 256, nHeads = 8, encoderLayers = 6, decoderLayers = 6, ffnDim = 1024, numLevels = 4,
                encoderPoints = 4, decoderPoints = 4;

        private Builder() {}

        public Builder dModel(int v) { dModel = v; return this; }
        public Builder nHeads(int v) { nHeads = v; return this; }
        public Builder encoderLayers(int v) { encoderLayers = v; return this; }
        public Builder decoderLayers(int v) { decoderLayers = v; return this; }
        public Builder ffnDim(int v) { ffnDim = v; return this; }
        public Builder numLevels(int v) { numLevels = v; return this; }
        public Builder encoderPoints(int v) { encoderPoints = v; return this; }
        public Builder decoderPoints(int v) { decoderPoints = v; return this; }

        /** Validates and builds. */
        public DeformableTransformerConfig build() {
            return new DeformableTransformerConfig(dModel, nHeads, encoderLayers, decoderLayers, ffnDim, numLevels,
                    encoderPoints, decoderPoints);
        }
    }
}
