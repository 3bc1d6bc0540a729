package org.detrdistill.core.model;

/**
 * Options of Deformable DETR (fundamentalvision/Deformable-DETR defaults in brackets).
 *
 * @param numLevels      feature levels entering the encoder [4]: C3–C5 by 1×1 conv + GroupNorm, plus extra
 *                       3×3/2 convs on C5 when more levels than backbone outputs are asked for
 * @param encoderPoints  sampling points per head and level in the encoder [4]
 * @param decoderPoints  sampling points per head and level in the decoder [4]
 * @param withBoxRefine  iterative box refinement: each decoder stage refines the previous stage's boxes [false]
 * @param twoStage       encoder proposals as decoder queries [false]
 * @param groupNormGroups groups of the neck's GroupNorm [32]
 */
public record DeformableOptions(int numLevels, int encoderPoints, int decoderPoints, boolean withBoxRefine,
                                boolean twoStage, int groupNormGroups) {
    public DeformableOptions {
        if (numLevels < 1 || numLevels > 5) throw new IllegalArgumentException("deformable.numLevels must be in [1, 5], got " + numLevels);
        if (encoderPoints < 1) throw new IllegalArgumentException("deformable.encoderPoints must be >= 1, got " + encoderPoints);
        if (decoderPoints < 1) throw new IllegalArgumentException("deformable.decoderPoints must be >= 1, got " + decoderPoints);
        if (groupNormGroups < 1) throw new IllegalArgumentException("deformable.groupNormGroups must be >= 1, got " + groupNormGroups);
    }

    /** The reference defaults: 4 levels, 4 points, no refinement, single stage, GroupNorm(32). */
    public static DeformableOptions defaults() { return new DeformableOptions(4, 4, 4, false, false, 32); }
}
