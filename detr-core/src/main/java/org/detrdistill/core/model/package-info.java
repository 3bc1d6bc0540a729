/**
 * Detector graphs: the configuration ({@link org.detrdistill.core.model.DetectorConfig}, presets in
 * {@link org.detrdistill.core.model.DetectorPresets}), the template builder {@link org.detrdistill.core.model.DetrBuilder}
 * (inputs → backbone → neck → encoder → queries → decoder → named outputs; variants in {@code core.variant} override
 * steps), the built {@link org.detrdistill.core.model.DetectorGraph} with its Java-side geometry feeds, and the
 * input/output contract {@link org.detrdistill.core.model.DetectorNames} every consumer addresses.
 *
 * <p>Extra query groups ({@link org.detrdistill.core.model.DetectorGraph#addQueryGroup},
 * {@link org.detrdistill.core.model.QueryGroup}): the decoder and heads run once more, with the same weights and on the
 * same features, on other queries ({@link org.detrdistill.core.model.DecoderQueries}), e.g. a teacher's queries in
 * DETRDistill's query-prior assignment distillation. Training only: the detector's own outputs never depend on a group.
 */
package org.detrdistill.core.model;
