package org.detrdistill.core.model;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * What one decoder stage produces; the builder exposes each field under the {@link DetectorNames} of stage {@code k}.
 *
 * @param hidden    {@code [B, Q, d]} stage output embeddings
 * @param reference {@code [B, Q, 2|4]} reference points/boxes the stage used (normalised), or null
 * @param logits    {@code [B, Q, C]} class logits
 * @param boxes     {@code [B, Q, 4]} boxes, cxcywh normalised (after the sigmoid)
 */
public record DecoderStage(SDVariable hidden, SDVariable reference, SDVariable logits, SDVariable boxes) {}
